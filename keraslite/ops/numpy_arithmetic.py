"""Elementwise NumPy ops over the backend's kernels (``keraslite.ops.add``, ``sin``, ...):
arithmetic, comparisons, logic and unary math; re-exported by ``keraslite.ops.numpy``."""
from __future__ import annotations

from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


@keras_op
def add(x1, x2):
    return _np.add(x1, x2)


@keras_op
def subtract(x1, x2):
    return _np.subtract(x1, x2)


@keras_op
def multiply(x1, x2):
    return _np.multiply(x1, x2)


@keras_op
def divide(x1, x2):
    return _np.divide(x1, x2)


@keras_op
def true_divide(x1, x2):
    return _np.true_divide(x1, x2)


@keras_op
def floor_divide(x1, x2):
    return _np.floor_divide(x1, x2)


@keras_op
def mod(x1, x2):
    return _np.mod(x1, x2)


@keras_op
def power(x1, x2):
    return _np.power(x1, x2)


@keras_op
def maximum(x1, x2):
    return _np.maximum(x1, x2)


@keras_op
def minimum(x1, x2):
    return _np.minimum(x1, x2)


@keras_op
def arctan2(x1, x2):
    return _np.arctan2(x1, x2)


@keras_op
def equal(x1, x2):
    return _np.equal(x1, x2)


@keras_op
def not_equal(x1, x2):
    return _np.not_equal(x1, x2)


@keras_op
def less(x1, x2):
    return _np.less(x1, x2)


@keras_op
def less_equal(x1, x2):
    return _np.less_equal(x1, x2)


@keras_op
def greater(x1, x2):
    return _np.greater(x1, x2)


@keras_op
def greater_equal(x1, x2):
    return _np.greater_equal(x1, x2)


@keras_op
def logical_and(x1, x2):
    return _np.logical_and(x1, x2)


@keras_op
def logical_or(x1, x2):
    return _np.logical_or(x1, x2)


@keras_op
def logical_xor(x1, x2):
    return _np.logical_xor(x1, x2)


@keras_op
def logical_not(x):
    return _np.logical_not(x)


@keras_op
def negative(x):
    return _np.negative(x)


@keras_op
def abs(x):
    return _np.abs(x)


@keras_op
def square(x):
    return _np.square(x)


@keras_op
def sign(x):
    return _np.sign(x)


@keras_op
def floor(x):
    return _np.floor(x)


@keras_op
def ceil(x):
    return _np.ceil(x)


@keras_op
def trunc(x):
    return _np.trunc(x)


@keras_op
def round(x, decimals=0):
    return _np.round(x, decimals)


@keras_op
def sqrt(x):
    return _np.sqrt(x)


@keras_op
def exp(x):
    return _np.exp(x)


@keras_op
def exp2(x):
    return _np.exp2(x)


@keras_op
def expm1(x):
    return _np.expm1(x)


@keras_op
def log(x):
    return _np.log(x)


@keras_op
def log1p(x):
    return _np.log1p(x)


@keras_op
def log2(x):
    return _np.log2(x)


@keras_op
def log10(x):
    return _np.log10(x)


@keras_op
def sin(x):
    return _np.sin(x)


@keras_op
def cos(x):
    return _np.cos(x)


@keras_op
def tan(x):
    return _np.tan(x)


@keras_op
def arcsin(x):
    return _np.arcsin(x)


@keras_op
def arccos(x):
    return _np.arccos(x)


@keras_op
def arctan(x):
    return _np.arctan(x)


@keras_op
def sinh(x):
    return _np.sinh(x)


@keras_op
def cosh(x):
    return _np.cosh(x)


@keras_op
def tanh(x):
    return _np.tanh(x)


@keras_op
def arcsinh(x):
    return _np.arcsinh(x)


@keras_op
def arccosh(x):
    return _np.arccosh(x)


@keras_op
def arctanh(x):
    return _np.arctanh(x)


@keras_op
def reciprocal(x):
    return _np.reciprocal(x)


@keras_op
def clip(x, x_min, x_max):
    return _np.clip(x, x_min, x_max)


@keras_op
def isnan(x):
    return _np.isnan(x)


@keras_op
def isinf(x):
    return _np.isinf(x)


@keras_op
def isfinite(x):
    return _np.isfinite(x)


@keras_op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return _np.nan_to_num(x, nan, posinf, neginf)


__all__ = [name for name in dir() if not name.startswith("_") and name not in (
    "annotations", "keras_op")]
