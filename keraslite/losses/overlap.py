"""Overlap losses for segmentation: Tversky and Dice."""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.loss import LossFunctionWrapper
from keraslite.losses.targets import prepare


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha * FP + beta * FN), the sums taken over ``axis`` (all axes if None)."""
    y_true, y_pred = prepare(y_true, y_pred, match_rank=False)
    tp = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    fp = ops.sum(ops.multiply(y_true, ops.subtract(1.0, y_pred)), axis=axis)
    fn = ops.sum(ops.multiply(y_pred, ops.subtract(1.0, y_true)), axis=axis)
    denominator = ops.add(ops.add(ops.add(tp, ops.multiply(alpha, fp)), ops.multiply(beta, fn)), config.epsilon())
    return ops.subtract(1.0, ops.divide(tp, denominator))


def dice(y_true, y_pred, axis=None):
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred)), summed over ``axis``."""
    y_true, y_pred = prepare(y_true, y_pred, match_rank=False)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), config.epsilon())
    return ops.subtract(1.0, ops.divide(ops.multiply(2.0, intersection), total))


class Tversky(LossFunctionWrapper):
    """Tversky loss (``alpha`` weighs false positives, ``beta`` false negatives)."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta,
                         axis=axis)


class Dice(LossFunctionWrapper):
    """Dice loss (1 - the Dice coefficient)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
