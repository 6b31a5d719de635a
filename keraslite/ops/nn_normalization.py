"""Normalization ops and PSNR (``keras.ops.nn`` names) over the backend's basic ops."""
from __future__ import annotations

from keraslite import config
from keraslite.backends import core as _core
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op
from keraslite.ops.nn_activations import _float


def _axes(axis, x):
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    rank = len(x.shape)
    for a in axes:
        if not isinstance(a, int) or not -rank <= a < rank:
            raise ValueError(f"argument `axis` must be ints within the rank of `x` ({rank}). "
                             f"Received: axis={axis!r}")
    return tuple(a % rank for a in axes)


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over ``axis``."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"ops.layer_normalization: unexpected arguments {sorted(kwargs)}")
    x = _float(x)
    axes = _axes(axis, x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if rms_scaling:
        out = _np.multiply(x, _np.reciprocal(_np.sqrt(_np.add(
            _np.var(x, axes, True), epsilon))))
    else:
        mean = _np.mean(x, axes, True)
        var = _np.mean(_np.square(_np.subtract(x, mean)), axes, True)
        out = _np.divide(_np.subtract(x, mean), _np.sqrt(_np.add(var, epsilon)))
    if gamma is not None:
        out = _np.multiply(out, _core.cast(gamma, out.dtype))
    if beta is not None:
        out = _np.add(out, _core.cast(beta, out.dtype))
    return out


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``."""
    x = _float(x)
    axes = _axes(axis, x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    out = _np.divide(x, _np.sqrt(_np.add(_np.mean(_np.square(x), axes, True), epsilon)))
    return out if scale is None else _np.multiply(out, _core.cast(scale, out.dtype))


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"ops.normalize: argument `order` must be an int >= 1. "
                         f"Received: order={order!r}")
    x = _float(x)
    axes = _axes(axis, x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 1:
        norm = _np.sum(_np.abs(x), axes, True)
    elif order == 2:
        norm = _np.sqrt(_np.sum(_np.square(x), axes, True))
    else:
        norm = _np.power(_np.sum(_np.power(_np.abs(x), order), axes, True), 1.0 / order)
    return _np.divide(x, _np.maximum(norm, epsilon))


@keras_op
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in dB: ``20 log10(max_val) - 10 log10(mse)``."""
    x1, x2 = _float(x1), _float(x2)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"ops.psnr: `x1` and `x2` must have the same shape. "
                         f"Received: {tuple(x1.shape)} and {tuple(x2.shape)}")
    mse = _np.mean(_np.square(_np.subtract(x1, x2)))
    max_val = _core.cast(max_val, x1.dtype)
    return _np.subtract(_np.multiply(20.0, _np.log10(max_val)),
                        _np.multiply(10.0, _np.log10(mse)))


__all__ = ["layer_normalization", "rms_normalization", "normalize", "psnr"]
