"""Cross-entropy losses (binary, categorical, sparse categorical) and KL divergence.

Probability inputs are clipped to [epsilon, 1 - epsilon]; ``from_logits=True`` uses the
numerically stable log-sigmoid / log-softmax forms.
"""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values


def _binary_crossentropy_elementwise(target, output, from_logits):
    if from_logits:
        # max(x, 0) - x * z + log(1 + exp(-|x|)): finite for any logit
        return ops.add(ops.subtract(ops.relu(output), ops.multiply(output, target)),
                       ops.log1p(ops.exp(ops.negative(ops.abs(output)))))
    eps = config.epsilon()
    output = ops.clip(output, eps, 1.0 - eps)
    return ops.negative(ops.add(ops.multiply(target, ops.log(output)),
                                ops.multiply(ops.subtract(1.0, target), ops.log(ops.subtract(1.0, output)))))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, averaged over ``axis``."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(_binary_crossentropy_elementwise(y_true, y_pred, from_logits), axis=axis)


def _log_probabilities(y_pred, from_logits, axis):
    if from_logits:
        return ops.log_softmax(y_pred, axis=axis)
    eps = config.epsilon()
    probs = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    return ops.log(ops.clip(probs, eps, 1.0 - eps))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample cross-entropy between one-hot (or soft) targets and predictions."""
    if isinstance(axis, bool):
        raise ValueError(f"categorical_crossentropy: `axis` must be an int. Received: axis={axis}")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    if tuple(y_true.shape) != tuple(y_pred.shape) and None not in tuple(y_true.shape) + tuple(y_pred.shape):
        raise ValueError(
            "categorical_crossentropy expects y_true and y_pred of the same shape (one-hot "
            f"targets). Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}. "
            "For integer class targets use sparse_categorical_crossentropy."
        )
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)
    return ops.negative(ops.sum(ops.multiply(y_true, _log_probabilities(y_pred, from_logits, axis)), axis=axis))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample cross-entropy between integer class targets and predictions.

    ``y_true`` has the shape of ``y_pred`` without its class axis, or with a size-1 class axis.
    With ``ignore_class``, targets equal to it get loss 0.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if len(y_true.shape) != len(y_pred.shape) - 1:
        raise ValueError(
            "sparse_categorical_crossentropy expects integer targets of shape y_pred.shape[:-1] "
            f"(or with a trailing 1). Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}. For one-hot targets use categorical_crossentropy."
        )
    labels = ops.cast(y_true, "int32")
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(labels, ignore_class)
        labels = ops.where(valid, labels, ops.zeros_like(labels))
    one_hot = ops.one_hot(labels, y_pred.shape[axis], axis=axis, dtype=y_pred.dtype)
    losses = ops.negative(ops.sum(ops.multiply(one_hot, _log_probabilities(y_pred, from_logits, axis)), axis=axis))
    if valid is not None:
        losses = ops.where(valid, losses, ops.zeros_like(losses))
    return losses


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [epsilon, 1]."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    y_true = ops.clip(y_true, config.epsilon(), 1.0)
    y_pred = ops.clip(y_pred, config.epsilon(), 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


kld = KLD = kl_divergence


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy for 0/1 targets (``label_smoothing`` pulls them towards 0.5).

    Example::

        loss = BinaryCrossentropy(from_logits=True)(y_true, logits)
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot targets (``label_smoothing`` mixes in the uniform distribution)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class targets. With ``ignore_class``, those targets are left
    out of both the sum and the count of the mean."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def call(self, y_true, y_pred):
        # no rank matching here: (N,) and (N, 1) targets are both handled by the function
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None:
            return super().__call__(y_true, y_pred, sample_weight)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        losses = self.call(y_true, y_pred)
        valid = ops.cast(ops.not_equal(ops.reshape(ops.cast(y_true, "int32"), losses.shape), self.ignore_class),
                         losses.dtype)
        if self.reduction in ("sum_over_batch_size", "mean"):
            # average over the valid entries only
            count = ops.sum(ops.ones_like(valid))
            valid = ops.multiply(valid, ops.divide(count, ops.add(ops.sum(valid), config.epsilon())))
        if sample_weight is not None:
            sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), losses.dtype)
            if len(sample_weight.shape) < len(valid.shape):
                sample_weight = ops.reshape(sample_weight, tuple(sample_weight.shape) + (1,) * (len(valid.shape) - len(sample_weight.shape)))
            sample_weight = ops.multiply(sample_weight, valid)
        else:
            sample_weight = valid
        return reduce_weighted_values(losses, sample_weight, self.reduction, self.dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


__all__ = ["Loss", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "kl_divergence", "BinaryCrossentropy", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "KLDivergence"]
