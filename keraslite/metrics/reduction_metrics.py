"""Sum, Mean and MeanMetricWrapper (the mean of a per-sample function)."""
from __future__ import annotations

from keraslite import ops
from keraslite.losses.argument_checks import check_arguments
from keraslite.losses.loss import (divide_no_nan, masked_weights,
                                   squeeze_or_expand_to_same_rank)
from keraslite.metrics.metric import Metric
from keraslite.utils.keras_mask import get_keras_mask


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Weights ``values`` and reduces them (and the weights) to one value per sample."""
    values = ops.cast(ops.convert_to_tensor(values), dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank, values_rank = len(sample_weight.shape), len(values.shape)
        if values_rank > weight_rank:
            values = reduce_fn(values, axis=tuple(range(weight_rank, values_rank)))
        sample_weight = ops.multiply(sample_weight, ops.ones_like(values))  # broadcast
        values = ops.multiply(values, sample_weight)
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_rank)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=tuple(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values seen.

    Example::

        m = Sum(); m.update_state([1, 2, 3]); float(m.result())  # 6.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype)
        self.total.assign_add(ops.sum(values))

    def result(self):
        return ops.convert_to_tensor(self.total.value)


class Mean(Metric):
    """The running (weighted) mean of the values seen: total / count.

    Example::

        m = Mean(); m.update_state([1, 2, 3]); m.update_state([4]); float(m.result())  # 2.5
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, ops.mean, self.dtype)
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            count = ops.sum(sample_weight)
        elif len(values.shape) >= 1:
            count = ops.sum(ops.ones_like(values))
        else:
            count = 1.0
        self.count.assign_add(ops.cast(count, self.dtype))

    def result(self):
        return divide_no_nan(self.total.value, self.count.value)


def check_numeric_result(values, owner: str) -> None:
    """A user function's result must be numbers: a string or None would otherwise fail inside
    the compiled step with a backend message that names neither the function nor the value."""
    dtype = getattr(values, "dtype", None)
    kind = getattr(dtype, "kind", None) if dtype is not None and not isinstance(dtype, str) else None
    if (values is None or isinstance(values, (str, bytes, dict, set))
            or (kind is not None and kind in "USO")):
        raise TypeError(f"{owner} must return numbers (a tensor of per-sample values). "
                        f"Received: {values!r:.80}")


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` (per-sample values)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        check_arguments(type(self).__name__, kwargs)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)  # padded time steps count for nothing, as in Keras 3
        if hasattr(y_true, "shape") and hasattr(y_pred, "shape"):
            # (n,) targets against (n, 1) predictions: element by element, as the losses align
            # them, never broadcast to an (n, n) table (binary_crossentropy's was).
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        check_numeric_result(values, f"Metric '{self.name}'")
        sample_weight = masked_weights(sample_weight, mask, "sum", self.dtype)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", None)
        return config

    @classmethod
    def from_config(cls, config):
        if cls is MeanMetricWrapper:
            from keraslite import metrics

            config = dict(config)
            config["fn"] = metrics.get(config["fn"])
        return cls(**config)
