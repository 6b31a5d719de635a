"""More activation ops (``keras.ops.nn`` names), written over the backend's basic ops."""
from __future__ import annotations

from keraslite.backends import core as _core
from keraslite.backends import nn as _nn
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _float(x):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    dtype = _core.standardize_dtype(x.dtype)
    return x if dtype.startswith(("float", "bfloat")) else _np.multiply(x, 1.0)


@keras_op
def celu(x, alpha=1.0):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise ValueError("ops.celu: argument `alpha` must be non-zero. Received: alpha=0")
    x = _float(x)
    neg = _np.multiply(alpha, _np.expm1(_np.divide(x, alpha)))
    return _np.add(_np.maximum(x, 0.0), _np.minimum(neg, 0.0))


@keras_op
def glu(x, axis=-1):
    """Gated linear unit: the first half of ``axis`` times the sigmoid of the second half."""
    x = _float(x)
    n = x.shape[axis]
    if n is not None and n % 2:
        raise ValueError(f"ops.glu: the size of axis {axis} of `x` must be even. "
                         f"Received: x.shape={tuple(x.shape)}")
    a, b = _np.split(x, 2, axis)
    return _np.multiply(a, _nn.sigmoid(b))


@keras_op
def hard_tanh(x):
    return _np.clip(_float(x), -1.0, 1.0)


@keras_op
def hard_shrink(x, threshold=0.5):
    x = _float(x)
    return _np.where(_np.greater(_np.abs(x), threshold), x, _np.zeros_like(x))


@keras_op
def soft_shrink(x, threshold=0.5):
    x = _float(x)
    zero = _np.zeros_like(x)
    return _np.where(_np.greater(x, threshold), _np.subtract(x, threshold),
                     _np.where(_np.less(x, -threshold), _np.add(x, threshold), zero))


@keras_op
def tanh_shrink(x):
    x = _float(x)
    return _np.subtract(x, _np.tanh(x))


@keras_op
def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    if b < 0:
        raise ValueError(f"ops.squareplus: argument `b` must be >= 0. Received: b={b!r}")
    x = _float(x)
    return _np.multiply(_np.add(x, _np.sqrt(_np.add(_np.square(x), float(b)))), 0.5)


@keras_op
def sparse_plus(x):
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` between."""
    x = _float(x)
    mid = _np.multiply(_np.square(_np.add(x, 1.0)), 0.25)
    return _np.where(_np.less_equal(x, -1.0), _np.zeros_like(x),
                     _np.where(_np.greater_equal(x, 1.0), x, mid))


@keras_op
def sparse_sigmoid(x):
    """0 below -1, 1 above 1, ``(x + 1) / 2`` between."""
    x = _float(x)
    return _np.clip(_np.multiply(_np.add(x, 1.0), 0.5), 0.0, 1.0)


@keras_op
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _float(x)
    return _np.where(_np.greater(x, threshold), x, _np.add(_np.zeros_like(x), default_value))


@keras_op
def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``
    (Martins & Astudillo, 2016): like softmax, but exactly 0 for small logits."""
    x = _float(x)
    x = _np.moveaxis(x, axis, -1)
    n = x.shape[-1]
    z = _np.flip(_np.sort(x, -1), -1)
    k = _np.arange(1, n + 1, dtype=_core.standardize_dtype(x.dtype))
    cumulative = _np.cumsum(z, -1)
    support = _np.greater(_np.add(1.0, _np.multiply(k, z)), cumulative)
    k_max = _np.sum(_core.cast(support, "int32"), -1, True)
    tau_sum = _np.take_along_axis(cumulative, _np.subtract(k_max, 1), -1)
    tau = _np.divide(_np.subtract(tau_sum, 1.0), _core.cast(k_max, x.dtype))
    return _np.moveaxis(_np.maximum(_np.subtract(x, tau), 0.0), -1, axis)


__all__ = ["celu", "glu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus",
           "sparse_plus", "sparse_sigmoid", "threshold", "sparsemax"]
