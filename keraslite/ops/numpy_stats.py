"""Order statistics and NaN-ignoring reductions (``keraslite.ops.numpy``): quantile,
percentile, median and their nan- forms, nansum ... nanargmax, average, corrcoef."""
from __future__ import annotations

import math

from keraslite.backends import core as _core
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _float(x):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    dtype = _core.standardize_dtype(x.dtype)
    return x if dtype.startswith(("float", "bfloat")) else _np.multiply(x, 1.0)


def _axes(axis, rank, op):
    if axis is None:
        return tuple(range(rank))
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    if not all(isinstance(a, int) and -rank <= a < rank for a in axes):
        raise ValueError(f"ops.{op}: argument `axis` must be ints within the rank of `x` "
                         f"({rank}). Received: axis={axis!r}")
    return tuple(sorted(a % rank for a in axes))


def _quantile(x, q, axis, method, keepdims, ignore_nan, op):
    if method not in _METHODS:
        raise ValueError(f"ops.{op}: argument `method` must be one of {_METHODS}. "
                         f"Received: method={method!r}")
    x = _float(x)
    q = _core.cast(_np.array(q) if not hasattr(q, "dtype") else q, x.dtype)
    rank = len(x.shape)
    axes = _axes(axis, rank, op)
    kept = [a for a in range(rank) if a not in axes]
    moved = _np.transpose(x, kept + list(axes))
    lead = tuple(_np.shape(moved)[:len(kept)])  # unknown sizes are tensors while tracing
    flat = _np.reshape(moved, lead + (-1,))
    nan = _np.isnan(flat)
    # NaNs sort last as +inf; a row's count of real values sets its positions
    ordered = _np.sort(_np.where(nan, math.inf, flat), -1)
    n = int(math.prod(x.shape[a] for a in axes))  # reduced sizes must be known
    if ignore_nan:
        count = _np.sum(_core.cast(_np.logical_not(nan), x.dtype), -1, True)
    else:
        count = _np.full_like(flat[..., :1], float(n))
    pos = _np.multiply(_np.reshape(q, (-1,) + (1,) * len(lead) + (1,)),
                       _np.subtract(_np.expand_dims(count, 0), 1.0))  # (Q, *lead, 1)
    low = _np.floor(pos)
    high = _np.ceil(pos)
    ordered = _np.broadcast_to(_np.expand_dims(ordered, 0),
                               (pos.shape[0],) + tuple(_np.shape(flat)))

    def at(p):
        idx = _np.clip(_core.cast(p, "int32"), 0, n - 1)
        return _np.take_along_axis(ordered, idx, -1)

    if method == "linear":
        lo = at(low)
        out = _np.add(lo, _np.multiply(_np.subtract(at(high), lo), _np.subtract(pos, low)))
    elif method == "lower":
        out = at(low)
    elif method == "higher":
        out = at(high)
    elif method == "midpoint":
        out = _np.multiply(_np.add(at(low), at(high)), 0.5)
    else:
        out = at(_np.round(pos))  # half to even, as NumPy
    bad = _np.less(count, 1.0) if ignore_nan else _np.any(nan, -1, True)
    out = _np.where(_np.expand_dims(bad, 0), math.nan, out)[..., 0]  # (Q, *lead)
    if keepdims:
        dims = _np.shape(x)
        shape = [1 if a in axes else dims[a] for a in range(rank)]
        out = _np.reshape(out, (-1,) + tuple(shape))
    return out[0] if len(q.shape) == 0 else out


@keras_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, False, "quantile")


@keras_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, True, "nanquantile")


@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    q = _np.divide(_np.array(q) if not hasattr(q, "dtype") else q, 100.0)
    return _quantile(x, q, axis, method, keepdims, False, "percentile")


@keras_op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    q = _np.divide(_np.array(q) if not hasattr(q, "dtype") else q, 100.0)
    return _quantile(x, q, axis, method, keepdims, True, "nanpercentile")


@keras_op
def median(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims, False, "median")


@keras_op
def nanmedian(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims, True, "nanmedian")


def _filled(x, value):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    if not _core.standardize_dtype(x.dtype).startswith(("float", "bfloat")):
        return x, None
    nan = _np.isnan(x)
    return _np.where(nan, value, x), nan


@keras_op
def nansum(x, axis=None, keepdims=False):
    return _np.sum(_filled(x, 0.0)[0], axis, keepdims)


@keras_op
def nanprod(x, axis=None, keepdims=False):
    return _np.prod(_filled(x, 1.0)[0], axis, keepdims)


def _count(nan, x, axis, keepdims):
    if nan is None:
        return _np.sum(_np.ones_like(x, "float32"), axis, keepdims)
    return _np.sum(_core.cast(_np.logical_not(nan), x.dtype), axis, keepdims)


@keras_op
def nanmean(x, axis=None, keepdims=False):
    x = _float(x)
    filled, nan = _filled(x, 0.0)
    return _np.divide(_np.sum(filled, axis, keepdims), _count(nan, x, axis, keepdims))


@keras_op
def nanvar(x, axis=None, keepdims=False):
    x = _float(x)
    filled, nan = _filled(x, 0.0)
    mean = _np.divide(_np.sum(filled, axis, True), _count(nan, x, axis, True))
    dev = _np.where(nan, 0.0, _np.square(_np.subtract(x, mean)))
    return _np.divide(_np.sum(dev, axis, keepdims), _count(nan, x, axis, keepdims))


@keras_op
def nanstd(x, axis=None, keepdims=False):
    return _np.sqrt(nanvar.raw(x, axis, keepdims))


def _nan_extreme(x, axis, keepdims, fill, reduce):
    filled, nan = _filled(x, fill)
    out = reduce(filled, axis, keepdims)
    if nan is None:
        return out
    return _np.where(_np.all(nan, axis, keepdims), math.nan, out)


@keras_op
def nanmax(x, axis=None, keepdims=False):
    return _nan_extreme(x, axis, keepdims, -math.inf, _np.max)


@keras_op
def nanmin(x, axis=None, keepdims=False):
    return _nan_extreme(x, axis, keepdims, math.inf, _np.min)


@keras_op
def nanargmax(x, axis=None, keepdims=False):
    return _np.argmax(_filled(x, -math.inf)[0], axis, keepdims)


@keras_op
def nanargmin(x, axis=None, keepdims=False):
    return _np.argmin(_filled(x, math.inf)[0], axis, keepdims)


@keras_op
def nancumsum(x, axis=None, dtype=None):
    return _np.cumsum(_filled(x, 0.0)[0], axis, dtype)


@keras_op
def nancumprod(x, axis=None, dtype=None):
    return _np.cumprod(_filled(x, 1.0)[0], axis, dtype)


@keras_op
def average(x, axis=None, weights=None):
    """Mean of ``x`` along ``axis`` weighted by ``weights`` (same shape, or 1-D along axis)."""
    x = _float(x)
    if weights is None:
        return _np.mean(x, axis)
    w = _core.cast(_np.array(weights) if not hasattr(weights, "dtype") else weights, x.dtype)
    if tuple(w.shape) != tuple(x.shape):
        if axis is None or len(w.shape) != 1 or w.shape[0] != x.shape[axis]:
            raise ValueError("ops.average: argument `weights` must have the shape of `x`, or be "
                             f"1-D along `axis`. Received: weights.shape={tuple(w.shape)}, "
                             f"x.shape={tuple(x.shape)}, axis={axis!r}")
        shape = [1] * len(x.shape)
        shape[axis] = w.shape[0]
        w = _np.reshape(w, tuple(shape))
    return _np.divide(_np.sum(_np.multiply(x, w), axis), _np.sum(_np.multiply(
        _np.ones_like(x), w), axis))


@keras_op
def corrcoef(x):
    """Pearson correlation coefficients of the rows (variables) of ``x``."""
    x = _float(x)
    if len(x.shape) == 1:
        x = _np.expand_dims(x, 0)
    centred = _np.subtract(x, _np.mean(x, 1, True))
    cov = _np.matmul(centred, _np.transpose(centred))
    d = _np.sqrt(_np.diagonal(cov))
    out = _np.divide(_np.divide(cov, _np.expand_dims(d, 1)), _np.expand_dims(d, 0))
    return _np.clip(out, -1.0, 1.0)


__all__ = ["quantile", "nanquantile", "percentile", "nanpercentile", "median", "nanmedian",
           "nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanargmax",
           "nanargmin", "nancumsum", "nancumprod", "average", "corrcoef"]
