"""NumPy-like ops on TensorFlow tensors. TF never promotes dtypes by itself, so every op casts
its inputs to the result dtype from ``keraslite.backends.common.dtypes`` first."""
from __future__ import annotations

import builtins

import numpy as np
import tensorflow as tf

from keraslite.backends.common import dtypes as dt


def _to(x, dtype=None):
    """One value as a tensor: scalars and lists follow the shared rules; tensors keep dtype."""
    if isinstance(x, tf.Variable):
        x = x.value()
    if dtype is None:
        dtype = dt.dtype_of(x)
    if tf.is_tensor(x):
        return x if x.dtype.name == dtype else tf.cast(x, dtype)
    if dtype == "bfloat16":
        return tf.cast(tf.convert_to_tensor(np.asarray(x, "float32")), dtype)
    if isinstance(x, (list, tuple)) and builtins.any(tf.is_tensor(v) for v in tf.nest.flatten(x)):
        return tf.cast(tf.convert_to_tensor(x), dtype)
    return tf.convert_to_tensor(np.asarray(x, dtype=dtype))


def _promote(*xs, dtype=None):
    dtype = dtype or dt.result_type(*xs)
    return [_to(x, dtype) for x in xs]


def _axis(axis):
    return list(axis) if isinstance(axis, tuple) else axis


def _rank(x):
    return x.shape.rank


def _dim(x, i):
    d = x.shape[i]
    return d if d is not None else tf.shape(x)[i]


# -- elementwise binary ---------------------------------------------------------------------
def _arith(fn):
    def op(x1, x2):
        dtype = dt.arithmetic_dtype(dt.result_type(x1, x2))
        a, b = _promote(x1, x2, dtype=dtype)
        return fn(a, b)

    return op


def add(x1, x2):
    return _arith(tf.add)(x1, x2)


def subtract(x1, x2):
    return _arith(tf.subtract)(x1, x2)


def multiply(x1, x2):
    return _arith(tf.multiply)(x1, x2)


def divide(x1, x2):
    dtype = dt.float_dtype(dt.result_type(x1, x2))
    a, b = _promote(x1, x2, dtype=dtype)
    return tf.math.truediv(a, b)


def true_divide(x1, x2):
    return divide(x1, x2)


def floor_divide(x1, x2):
    return _arith(tf.math.floordiv)(x1, x2)


def mod(x1, x2):
    return _arith(tf.math.floormod)(x1, x2)


def power(x1, x2):
    return _arith(tf.pow)(x1, x2)


def maximum(x1, x2):
    a, b = _promote(x1, x2)
    if a.dtype == tf.bool:
        return tf.logical_or(a, b)
    return tf.maximum(a, b)


def minimum(x1, x2):
    a, b = _promote(x1, x2)
    if a.dtype == tf.bool:
        return tf.logical_and(a, b)
    return tf.minimum(a, b)


def arctan2(x1, x2):
    a, b = _promote(x1, x2, dtype=dt.float_dtype(dt.result_type(x1, x2)))
    return tf.math.atan2(a, b)


def _compare(fn):
    def op(x1, x2):
        a, b = _promote(x1, x2)
        return fn(a, b)

    return op


def equal(x1, x2):
    return _compare(tf.equal)(x1, x2)


def not_equal(x1, x2):
    return _compare(tf.not_equal)(x1, x2)


def less(x1, x2):
    return _compare(tf.less)(x1, x2)


def less_equal(x1, x2):
    return _compare(tf.less_equal)(x1, x2)


def greater(x1, x2):
    return _compare(tf.greater)(x1, x2)


def greater_equal(x1, x2):
    return _compare(tf.greater_equal)(x1, x2)


def logical_and(x1, x2):
    return tf.logical_and(_to(x1, "bool"), _to(x2, "bool"))


def logical_or(x1, x2):
    return tf.logical_or(_to(x1, "bool"), _to(x2, "bool"))


def logical_xor(x1, x2):
    return tf.math.logical_xor(_to(x1, "bool"), _to(x2, "bool"))


def logical_not(x):
    return tf.logical_not(_to(x, "bool"))


# -- elementwise unary ----------------------------------------------------------------------
def _float_unary(fn):
    def op(x):
        x = _to(x)
        return fn(tf.cast(x, dt.float_dtype(x.dtype.name)))

    return op


def negative(x):
    x = _to(x)
    return tf.negative(tf.cast(x, dt.arithmetic_dtype(x.dtype.name)))


def abs(x):
    x = _to(x)
    if x.dtype == tf.bool or x.dtype.is_unsigned:
        return x
    return tf.abs(x)


absolute = abs


def square(x):
    x = _to(x)
    return tf.square(tf.cast(x, dt.arithmetic_dtype(x.dtype.name)))


def sign(x):
    x = _to(x)
    x = tf.cast(x, dt.arithmetic_dtype(x.dtype.name))
    if x.dtype.is_unsigned:
        return tf.cast(x > 0, x.dtype)
    return tf.sign(x)


def floor(x):
    return _float_unary(tf.floor)(x)


def ceil(x):
    return _float_unary(tf.math.ceil)(x)


def trunc(x):
    return _float_unary(lambda v: tf.where(v < 0, tf.math.ceil(v), tf.floor(v)))(x)


def round(x, decimals=0):
    x = _to(x)
    if not x.dtype.is_floating:
        return x
    if decimals == 0:
        return tf.round(x)
    factor = tf.constant(10.0 ** decimals, x.dtype)
    return tf.round(x * factor) / factor


def sqrt(x):
    return _float_unary(tf.sqrt)(x)


def exp(x):
    return _float_unary(tf.exp)(x)


def exp2(x):
    return _float_unary(lambda v: tf.pow(tf.constant(2.0, v.dtype), v))(x)


def expm1(x):
    return _float_unary(tf.math.expm1)(x)


def log(x):
    return _float_unary(tf.math.log)(x)


def log1p(x):
    return _float_unary(tf.math.log1p)(x)


def log2(x):
    return _float_unary(lambda v: tf.math.log(v) / tf.math.log(tf.constant(2.0, v.dtype)))(x)


def log10(x):
    return _float_unary(lambda v: tf.math.log(v) / tf.math.log(tf.constant(10.0, v.dtype)))(x)


def sin(x):
    return _float_unary(tf.sin)(x)


def cos(x):
    return _float_unary(tf.cos)(x)


def tan(x):
    return _float_unary(tf.tan)(x)


def arcsin(x):
    return _float_unary(tf.asin)(x)


def arccos(x):
    return _float_unary(tf.acos)(x)


def arctan(x):
    return _float_unary(tf.atan)(x)


def sinh(x):
    return _float_unary(tf.sinh)(x)


def cosh(x):
    return _float_unary(tf.cosh)(x)


def tanh(x):
    return _float_unary(tf.tanh)(x)


def arcsinh(x):
    return _float_unary(tf.asinh)(x)


def arccosh(x):
    return _float_unary(tf.acosh)(x)


def arctanh(x):
    return _float_unary(tf.atanh)(x)


def reciprocal(x):
    return _float_unary(tf.math.reciprocal)(x)


def clip(x, x_min, x_max):
    x = _to(x)
    dtype = dt.arithmetic_dtype(x.dtype.name)
    x = tf.cast(x, dtype)
    return tf.minimum(tf.maximum(x, _to(x_min, dtype)), _to(x_max, dtype))


def isnan(x):
    x = _to(x)
    return tf.math.is_nan(x) if x.dtype.is_floating else tf.zeros_like(x, tf.bool)


def isinf(x):
    x = _to(x)
    return tf.math.is_inf(x) if x.dtype.is_floating else tf.zeros_like(x, tf.bool)


def isfinite(x):
    x = _to(x)
    return tf.math.is_finite(x) if x.dtype.is_floating else tf.ones_like(x, tf.bool)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _to(x)
    if not x.dtype.is_floating:
        return x
    posinf = x.dtype.max if posinf is None else posinf
    neginf = x.dtype.min if neginf is None else neginf
    x = tf.where(tf.math.is_nan(x), tf.constant(nan, x.dtype), x)
    x = tf.where(tf.logical_and(tf.math.is_inf(x), x > 0), tf.constant(posinf, x.dtype), x)
    return tf.where(tf.logical_and(tf.math.is_inf(x), x < 0), tf.constant(neginf, x.dtype), x)


# -- linear algebra -------------------------------------------------------------------------
def _matmul_dtype(*xs):
    dtype = dt.result_type(*xs)
    return "int32" if dtype in ("bool", "int8", "int16", "uint8", "uint16") else dtype


def matmul(x1, x2):
    a, b = _promote(x1, x2, dtype=_matmul_dtype(x1, x2))
    if _rank(a) == 1 and _rank(b) == 1:
        return tf.reduce_sum(a * b)
    if _rank(a) == 1:
        return tf.squeeze(tf.linalg.matmul(a[None, :], b), -2)
    if _rank(b) == 1:
        return tf.squeeze(tf.linalg.matmul(a, b[:, None]), -1)
    return tf.linalg.matmul(a, b)


def dot(x1, x2):
    a, b = _promote(x1, x2, dtype=_matmul_dtype(x1, x2))
    if _rank(a) == 0 or _rank(b) == 0:
        return a * b
    if _rank(b) == 1:
        return tf.tensordot(a, b, [[_rank(a) - 1], [0]])
    return tf.tensordot(a, b, [[_rank(a) - 1], [_rank(b) - 2]])


def tensordot(x1, x2, axes=2):
    a, b = _promote(x1, x2, dtype=_matmul_dtype(x1, x2))
    return tf.tensordot(a, b, axes)


def outer(x1, x2):
    a, b = _promote(x1, x2, dtype=dt.arithmetic_dtype(dt.result_type(x1, x2)))
    return tf.reshape(a, [-1, 1]) * tf.reshape(b, [1, -1])


def einsum(subscripts, *operands):
    return tf.einsum(subscripts, *_promote(*operands, dtype=_matmul_dtype(*operands)))


def trace(x, offset=0, axis1=0, axis2=1):
    x = _to(x)
    x = tf.cast(x, dt.accumulate_dtype(x.dtype.name))
    return tf.reduce_sum(diagonal(x, offset, axis1, axis2), axis=-1)


# -- creation -------------------------------------------------------------------------------
def _float_or(dtype):
    return dt.standardize(dtype) or dt.result_type(0.0)


def _shape_arg(shape):
    return [shape] if isinstance(shape, int) else list(shape)


def zeros(shape, dtype=None):
    return tf.zeros(_shape_arg(shape), dtype=_float_or(dtype))


def ones(shape, dtype=None):
    return tf.ones(_shape_arg(shape), dtype=_float_or(dtype))


def full(shape, fill_value, dtype=None):
    dtype = dt.standardize(dtype) or dt.dtype_of(fill_value)
    return tf.broadcast_to(_to(fill_value, dtype), _shape_arg(shape))


def zeros_like(x, dtype=None):
    x = _to(x)
    return tf.zeros(tf.shape(x), dtype=dt.standardize(dtype) or x.dtype)


def ones_like(x, dtype=None):
    x = _to(x)
    return tf.ones(tf.shape(x), dtype=dt.standardize(dtype) or x.dtype)


def full_like(x, fill_value, dtype=None):
    x = _to(x)
    dtype = dt.standardize(dtype) or x.dtype.name
    return tf.broadcast_to(_to(fill_value, dtype), tf.shape(x))


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    dtype = dt.standardize(dtype) or dt.result_type(start, stop, step)
    if dtype in dt.FLOATS:
        # start + i * step, like NumPy (not a running sum)
        n = int(np.ceil((float(stop) - float(start)) / float(step)))
        i = tf.range(builtins.max(n, 0), dtype=dtype)
        return tf.cast(start, dtype) + i * tf.cast(step, dtype)
    return tf.range(start, stop, step, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    dtype = dt.standardize(dtype) or dt.float_dtype(dt.result_type(start, stop))
    compute = "float64" if dtype != "float64" else dtype
    start_t = tf.cast(_to(start), compute)
    stop_t = tf.cast(_to(stop), compute)
    div = (num - 1) if endpoint else num
    step = (stop_t - start_t) / builtins.max(div, 1)
    i = tf.reshape(tf.range(num, dtype=compute), [-1] + [1] * start_t.shape.rank)
    out = start_t[None, ...] + i * step[None, ...]
    if endpoint and num > 1:
        out = tf.concat([out[:-1], stop_t[None, ...]], axis=0)
    if axis != 0:
        out = moveaxis(out, 0, axis)
    out = tf.cast(out, dtype)
    return (out, tf.cast(step, dtype)) if retstep else out


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = tf.range(N)[:, None]
    cols = tf.range(M)[None, :]
    return tf.cast(tf.equal(cols - rows, k), _float_or(dtype))


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def array(x, dtype=None):
    return _to(x, dt.standardize(dtype))


# shape manipulation and indexing live in numpy_shapes.py; re-exported here
from keraslite.backends.tensorflow.numpy_shapes import *  # noqa: E402,F401,F403


# reductions, cumulative ops and sorting live in numpy_reductions.py; re-exported here
from keraslite.backends.tensorflow.numpy_reductions import *  # noqa: E402,F401,F403
