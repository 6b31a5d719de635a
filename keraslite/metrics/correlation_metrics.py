"""Per-sample correlation between targets and predictions: Pearson and concordance (Lin's CCC),
as functions and as running means."""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.loss import squeeze_or_expand_to_same_rank
from keraslite.metrics.reduction_metrics import MeanMetricWrapper


def _pair(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    if not str(y_pred.dtype).startswith(("float", "bfloat")):
        y_pred = ops.cast(y_pred, config.floatx())
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis: int = -1):
    """Pearson's r between ``y_true`` and ``y_pred`` along ``axis`` (one value per sample)."""
    y_true, y_pred = _pair(y_true, y_pred)
    dt = ops.subtract(y_true, ops.mean(y_true, axis=axis, keepdims=True))
    dp = ops.subtract(y_pred, ops.mean(y_pred, axis=axis, keepdims=True))
    dt = ops.divide(dt, ops.std(dt, axis=axis, keepdims=True))
    dp = ops.divide(dp, ops.std(dp, axis=axis, keepdims=True))
    return ops.mean(ops.multiply(dt, dp), axis=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1):
    """Lin's concordance correlation 2 cov / (var_t + var_p + (mean_t - mean_p)^2) along
    ``axis``. (Keras 3.15 centres y_true on y_pred's mean in the covariance; this uses the
    textbook form, which agrees with it whenever the two means are equal.)"""
    y_true, y_pred = _pair(y_true, y_pred)
    mean_t = ops.mean(y_true, axis=axis, keepdims=True)
    mean_p = ops.mean(y_pred, axis=axis, keepdims=True)
    var_t = ops.var(y_true, axis=axis, keepdims=True)
    var_p = ops.var(y_pred, axis=axis, keepdims=True)
    covariance = ops.multiply(ops.subtract(y_true, mean_t), ops.subtract(y_pred, mean_p))
    norm = ops.add(ops.add(var_t, var_p), ops.square(ops.subtract(mean_t, mean_p)))
    return ops.mean(ops.divide(ops.multiply(2.0, covariance), ops.add(norm, config.epsilon())),
                    axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of per-sample Pearson correlation.

    Example::

        m = PearsonCorrelation()
        m.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]]); float(m.result())  # ~0.99
    """

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of per-sample concordance correlation."""

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
