"""Categorical generalized cross-entropy (Zhang & Sabuncu, 2018): (1 - p_true^q) / q, a loss
between cross-entropy (q -> 0) and mean absolute error (q = 1) that tolerates noisy labels."""
from __future__ import annotations

from keraslite import ops
from keraslite.losses.loss import Loss, reduce_weighted_values


def _check_q(q, who: str) -> float:
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
        raise ValueError(f"{who}: `q` must be a number in the open interval (0, 1). "
                         f"Received: q={q!r}")
    return float(q)


def categorical_generalized_cross_entropy(y_true, y_pred, q: float):
    """Per-sample ``(1 - p^q) / q`` where ``p`` is the predicted probability of the integer
    label ``y_true`` (shape ``(batch,)`` or ``(batch, 1)``) in ``y_pred`` ``(batch, classes)``."""
    q = _check_q(q, "categorical_generalized_cross_entropy")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if len(y_true.shape) != len(y_pred.shape) - 1:
        raise ValueError("categorical_generalized_cross_entropy expects integer labels y_true of "
                         "shape y_pred.shape[:-1]. Received: "
                         f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}")
    hot = ops.one_hot(ops.cast(y_true, "int32"), y_pred.shape[-1], dtype=y_pred.dtype)
    p = ops.sum(ops.multiply(y_pred, hot), axis=-1)
    return ops.divide(ops.subtract(1.0, ops.power(p, q)), q)


class CategoricalGeneralizedCrossEntropy(Loss):
    """Generalized cross-entropy for integer labels and class probabilities.

    Example::

        loss = CategoricalGeneralizedCrossEntropy(q=0.5)
        loss([0, 1], [[0.9, 0.1], [0.2, 0.8]])
        # the mean of (1 - sqrt(0.9)) / 0.5 and (1 - sqrt(0.8)) / 0.5
    """

    def __init__(self, q: float = 0.5, reduction="sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy", dtype=None):
        self.q = _check_q(q, "CategoricalGeneralizedCrossEntropy")
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        # Labels stay integers: the base class would cast them to the loss dtype.
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        losses = categorical_generalized_cross_entropy(y_true, y_pred, self.q)
        return reduce_weighted_values(losses, sample_weight, self.reduction, self.dtype)

    def call(self, y_true, y_pred):
        return categorical_generalized_cross_entropy(y_true, y_pred, self.q)

    def get_config(self) -> dict:
        return {**super().get_config(), "q": self.q}
