"""The Loss base class, reductions and the function wrapper."""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.argument_checks import check_arguments
from keraslite.utils.keras_mask import get_keras_mask

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by one trailing size-1 axis."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            return x1, ops.expand_dims(x2, -1)
        return ops.squeeze(x1, axis=-1), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return ops.expand_dims(x1, -1), x2
        return x1, ops.squeeze(x2, axis=-1)
    return x1, x2


def divide_no_nan(x, y):
    """x / y, and 0 where y == 0 (``ops.divide_no_nan`` once keraslite.ops has it)."""
    zero = ops.equal(y, 0)
    return ops.where(zero, ops.zeros_like(x), ops.divide(x, ops.where(zero, ops.ones_like(y), y)))


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduces per-sample (already weighted) loss values to a scalar."""
    if reduction in (None, "none") or len(values.shape) == 0:
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.sum(ops.cast(sample_weight, total.dtype))
    else:
        divisor = ops.sum(ops.ones_like(values))  # element count, also when shapes are dynamic
    return divide_no_nan(total, divisor)


def _check_weight_shape(values, sample_weight):
    """sample_weight must broadcast against the per-sample losses from the left (batch axis
    first). Checked on the static shapes, so a mismatch is a ValueError naming sample_weight
    instead of a backend broadcasting or graph error."""
    got, want = tuple(sample_weight.shape), tuple(values.shape)
    if not want:
        return  # a loss already reduced over the batch (Dice, Tversky): weights broadcast
    if len(got) <= len(want) and all(
            g is None or w is None or g == w or g == 1 for g, w in zip(got, want)):
        return
    raise ValueError(
        f"sample_weight of shape {got} does not match the per-sample loss of shape {want}: "
        "give one weight per sample, shape (batch,), or per loss element, shape "
        f"{want}. Received: sample_weight.shape={got}"
    )


def _from_batch_axis(sample_weight, values):
    """(batch,) weights for (batch, steps) values: one weight per sample, aligned from the batch
    axis (plain broadcasting would align it with the last axis)."""
    while 0 < len(sample_weight.shape) < len(values.shape):
        sample_weight = ops.expand_dims(sample_weight, -1)
    return sample_weight


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size", dtype=None):
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        _check_weight_shape(values, sample_weight)
        sample_weight = _from_batch_axis(sample_weight, values)
        values = ops.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


def masked_weights(sample_weight, mask, reduction, dtype):
    """Sample weights that leave out the masked entries of ``y_pred`` (its ``_keras_mask``), as
    Keras 3 weighs them. Under a mean reduction the kept entries weigh ``entries / kept``, so the
    mean is taken over the kept entries only (0 when none is kept); under the others they weigh
    1. ``(batch,)`` weights meet a ``(batch, steps)`` mask from the batch axis."""
    if mask is None:
        return sample_weight
    mask = ops.cast(mask, "bool")
    if reduction in ("sum_over_batch_size", "mean"):
        kept = ops.sum(ops.cast(mask, dtype))
        entries = ops.cast(ops.size(mask), dtype)
        scale = divide_no_nan(entries, kept)
        weights = ops.where(mask, scale, ops.zeros_like(scale))
    else:
        weights = ops.cast(mask, dtype)
    if sample_weight is None:
        return weights
    sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
    weights, sample_weight = squeeze_or_expand_to_same_rank(weights, sample_weight)
    return ops.multiply(weights, _from_batch_axis(sample_weight, weights))


class Loss:
    """Base class: ``call(y_true, y_pred)`` gives per-sample losses; ``__call__`` weights and
    reduces them.

    Args:
        reduction: "sum_over_batch_size" (default; same as "mean"), "sum", or None/"none".

    Example::

        class MeanCubicError(Loss):
            def call(self, y_true, y_pred):
                return ops.mean(ops.abs(y_true - y_pred) ** 3, axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        from keraslite.utils.naming import to_snake_case

        if reduction not in REDUCTIONS:
            raise ValueError(
                f"Invalid reduction for loss {name or type(self).__name__}: {reduction!r}. "
                f"Expected one of {REDUCTIONS}."
            )
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype or config.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        losses = self.call(y_true, y_pred)
        if losses is None or isinstance(losses, (str, bytes, dict, set)):
            raise TypeError(f"Loss '{self.name}' must return numbers (a tensor of per-sample "
                            f"losses). Received: {losses!r:.80}")
        losses_mask = get_keras_mask(losses)
        if mask is None or losses_mask is None:
            mask = losses_mask if mask is None else mask
        else:
            mask = ops.logical_and(ops.cast(mask, "bool"), ops.cast(losses_mask, "bool"))
        sample_weight = masked_weights(sample_weight, mask, self.reduction, self.dtype)
        return reduce_weighted_values(losses, sample_weight, self.reduction, self.dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A Loss around a function ``fn(y_true, y_pred, **kwargs) -> per-sample losses``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        check_arguments(type(self).__name__, kwargs)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", None)
        return {**config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        if cls is LossFunctionWrapper:
            from keraslite import losses

            config = dict(config)
            config["fn"] = losses.get(config["fn"])
        return cls(**config)
