"""Log-cosh loss: squared error for small errors, absolute error for large ones."""
from __future__ import annotations

import math

from keraslite import ops
from keraslite.losses.loss import LossFunctionWrapper
from keraslite.losses.targets import prepare


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis, computed without overflow."""
    y_true, y_pred = prepare(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    # log(cosh(x)) = x + log(1 + exp(-2x)) - log(2)
    return ops.mean(ops.subtract(ops.add(x, ops.softplus(ops.multiply(-2.0, x))), math.log(2.0)), axis=-1)


logcosh = log_cosh


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)
