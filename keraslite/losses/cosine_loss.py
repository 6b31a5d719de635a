"""Cosine similarity loss (negative cosine of the angle between target and prediction)."""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.loss import LossFunctionWrapper
from keraslite.losses.targets import prepare


def _l2_normalize(x, axis):
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    eps = config.epsilon()
    return ops.multiply(x, ops.minimum(ops.rsqrt(square_sum), 1.0 / eps))


def cosine_similarity(y_true, y_pred, axis=-1):
    """The negative cosine similarity along ``axis`` (-1 for parallel vectors, 0 orthogonal)."""
    y_true, y_pred = prepare(y_true, y_pred)
    return ops.negative(ops.sum(ops.multiply(_l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)),
                                axis=axis))


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis``."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
