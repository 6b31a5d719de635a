"""More elementwise NumPy ops (``keraslite.ops.numpy``), written over the backend's basic ones.

Each has NumPy's meaning and Keras's argument names; ints compute in floatx where NumPy would
give a float.
"""
from __future__ import annotations

import math as _math

from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


@keras_op
def cbrt(x):
    return _np.multiply(_np.sign(x), _np.power(_np.abs(_np.multiply(x, 1.0)), 1.0 / 3.0))


@keras_op
def deg2rad(x):
    return _np.multiply(x, _math.pi / 180.0)


@keras_op
def rad2deg(x):
    return _np.multiply(x, 180.0 / _math.pi)


@keras_op
def fabs(x):
    return _np.abs(_np.multiply(x, 1.0))


@keras_op
def hypot(x1, x2):
    x1, x2 = _np.multiply(x1, 1.0), _np.multiply(x2, 1.0)
    return _np.sqrt(_np.add(_np.square(x1), _np.square(x2)))


@keras_op
def fmax(x1, x2):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    return _np.where(_np.isnan(x1), x2, _np.where(_np.isnan(x2), x1, _np.maximum(x1, x2)))


@keras_op
def fmin(x1, x2):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    return _np.where(_np.isnan(x1), x2, _np.where(_np.isnan(x2), x1, _np.minimum(x1, x2)))


@keras_op
def heaviside(x1, x2):
    zero = _np.zeros_like(_np.multiply(x1, 1.0))
    return _np.where(_np.less(x1, 0), zero, _np.where(_np.greater(x1, 0), _np.add(zero, 1.0),
                                                      _np.add(zero, x2)))


@keras_op
def logaddexp(x1, x2):
    big = _np.maximum(x1, x2)
    # log(e^a + e^b) = max + log1p(e^-|a-b|), stable for large inputs
    return _np.add(big, _np.log1p(_np.exp(_np.negative(_np.abs(_np.subtract(x1, x2))))))


@keras_op
def logaddexp2(x1, x2):
    big = _np.maximum(x1, x2)
    rest = _np.exp2(_np.negative(_np.abs(_np.subtract(x1, x2))))
    return _np.add(big, _np.divide(_np.log1p(rest), _math.log(2.0)))


@keras_op
def sinc(x):
    """``sin(pi x) / (pi x)``, 1 at 0."""
    px = _np.multiply(x, _math.pi)
    safe = _np.where(_np.equal(x, 0), 1.0, px)
    return _np.where(_np.equal(x, 0), 1.0, _np.divide(_np.sin(safe), safe))


@keras_op
def signbit(x):
    """True where the sign bit is set (negative numbers and -0.0)."""
    x = _np.multiply(x, 1.0)
    return _np.logical_or(_np.less(x, 0),
                          _np.logical_and(_np.equal(x, 0), _np.less(_np.divide(1.0, x), 0)))


@keras_op
def isneginf(x):
    return _np.logical_and(_np.isinf(x), _np.less(x, 0))


@keras_op
def isposinf(x):
    return _np.logical_and(_np.isinf(x), _np.greater(x, 0))


@keras_op
def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 wherever ``x2`` is 0."""
    safe = _np.where(_np.equal(x2, 0), 1.0, x2)
    return _np.where(_np.equal(x2, 0), 0.0, _np.divide(x1, safe))


@keras_op
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    x1, x2 = _np.multiply(x1, 1.0), _np.multiply(x2, 1.0)
    diff = _np.abs(_np.subtract(x1, x2))
    close = _np.logical_or(_np.equal(x1, x2), _np.less_equal(
        diff, _np.add(atol, _np.multiply(rtol, _np.abs(x2)))))
    if equal_nan:
        close = _np.logical_or(close, _np.logical_and(_np.isnan(x1), _np.isnan(x2)))
    return close


@keras_op
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return _np.all(isclose.raw(x1, x2, rtol, atol, equal_nan))


@keras_op
def ptp(x, axis=None, keepdims=False):
    """Range (max - min) along ``axis``."""
    return _np.subtract(_np.max(x, axis, keepdims), _np.min(x, axis, keepdims))


__all__ = ["allclose", "cbrt", "deg2rad", "divide_no_nan", "fabs", "fmax", "fmin", "heaviside",
           "hypot", "isclose", "isneginf", "isposinf", "logaddexp", "logaddexp2", "ptp",
           "rad2deg", "signbit", "sinc"]
