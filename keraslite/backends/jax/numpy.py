"""NumPy-like ops on JAX arrays. Result dtypes follow ``keraslite.backends.common.dtypes``."""
from __future__ import annotations


import jax
import jax.numpy as jnp

from keraslite.backends.common import dtypes as dt


_NARROW = {"float64": "float32", "int64": "int32", "uint64": "uint32", "complex128": "complex64"}


def _canonical(dtype):
    """Without ``jax_enable_x64`` JAX has no 64-bit types: use the 32-bit ones, silently."""
    if jax.config.jax_enable_x64:
        return dtype
    return _NARROW.get(dtype, dtype)


def _to(x, dtype=None):
    """One value as an array: scalars and lists follow the shared rules; arrays keep dtype."""
    dtype = _canonical(dtype or dt.dtype_of(x))
    if isinstance(x, jax.Array) and x.dtype == dtype:
        return x
    return jnp.asarray(x, dtype=dtype)


def _promote(*xs, dtype=None):
    dtype = _canonical(dtype or dt.result_type(*xs))
    return [_to(x, dtype) for x in xs]


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# -- elementwise binary ---------------------------------------------------------------------
def _arith(fn):
    def op(x1, x2):
        dtype = dt.arithmetic_dtype(dt.result_type(x1, x2))
        a, b = _promote(x1, x2, dtype=dtype)
        return fn(a, b)

    return op


def add(x1, x2):
    return _arith(jnp.add)(x1, x2)


def subtract(x1, x2):
    return _arith(jnp.subtract)(x1, x2)


def multiply(x1, x2):
    return _arith(jnp.multiply)(x1, x2)


def divide(x1, x2):
    dtype = dt.float_dtype(dt.result_type(x1, x2))
    a, b = _promote(x1, x2, dtype=dtype)
    return a / b


def true_divide(x1, x2):
    return divide(x1, x2)


def floor_divide(x1, x2):
    return _arith(jnp.floor_divide)(x1, x2)


def mod(x1, x2):
    return _arith(jnp.mod)(x1, x2)


def power(x1, x2):
    return _arith(jnp.power)(x1, x2)


def maximum(x1, x2):
    a, b = _promote(x1, x2)
    return jnp.maximum(a, b)


def minimum(x1, x2):
    a, b = _promote(x1, x2)
    return jnp.minimum(a, b)


def arctan2(x1, x2):
    a, b = _promote(x1, x2, dtype=dt.float_dtype(dt.result_type(x1, x2)))
    return jnp.arctan2(a, b)


def _compare(fn):
    def op(x1, x2):
        a, b = _promote(x1, x2)
        return fn(a, b)

    return op


def equal(x1, x2):
    return _compare(jnp.equal)(x1, x2)


def not_equal(x1, x2):
    return _compare(jnp.not_equal)(x1, x2)


def less(x1, x2):
    return _compare(jnp.less)(x1, x2)


def less_equal(x1, x2):
    return _compare(jnp.less_equal)(x1, x2)


def greater(x1, x2):
    return _compare(jnp.greater)(x1, x2)


def greater_equal(x1, x2):
    return _compare(jnp.greater_equal)(x1, x2)


def logical_and(x1, x2):
    return jnp.logical_and(_to(x1, "bool"), _to(x2, "bool"))


def logical_or(x1, x2):
    return jnp.logical_or(_to(x1, "bool"), _to(x2, "bool"))


def logical_xor(x1, x2):
    return jnp.logical_xor(_to(x1, "bool"), _to(x2, "bool"))


def logical_not(x):
    return jnp.logical_not(_to(x, "bool"))


# -- elementwise unary ----------------------------------------------------------------------
def _float_unary(fn):
    def op(x):
        x = _to(x)
        return fn(x.astype(dt.float_dtype(x.dtype)))

    return op


def negative(x):
    x = _to(x)
    return jnp.negative(x.astype(dt.arithmetic_dtype(x.dtype)))


def abs(x):
    x = _to(x)
    return x if x.dtype == jnp.bool_ else jnp.abs(x)


absolute = abs


def square(x):
    x = _to(x)
    return jnp.square(x.astype(dt.arithmetic_dtype(x.dtype)))


def sign(x):
    x = _to(x)
    return jnp.sign(x.astype(dt.arithmetic_dtype(x.dtype)))


def floor(x):
    return _float_unary(jnp.floor)(x)


def ceil(x):
    return _float_unary(jnp.ceil)(x)


def trunc(x):
    return _float_unary(jnp.trunc)(x)


def round(x, decimals=0):
    x = _to(x)
    if dt.is_int(x.dtype) or x.dtype == jnp.bool_:
        return x
    return jnp.round(x, decimals)


def sqrt(x):
    return _float_unary(jnp.sqrt)(x)


def exp(x):
    return _float_unary(jnp.exp)(x)


def exp2(x):
    return _float_unary(jnp.exp2)(x)


def expm1(x):
    return _float_unary(jnp.expm1)(x)


def log(x):
    return _float_unary(jnp.log)(x)


def log1p(x):
    return _float_unary(jnp.log1p)(x)


def log2(x):
    return _float_unary(jnp.log2)(x)


def log10(x):
    return _float_unary(jnp.log10)(x)


def sin(x):
    return _float_unary(jnp.sin)(x)


def cos(x):
    return _float_unary(jnp.cos)(x)


def tan(x):
    return _float_unary(jnp.tan)(x)


def arcsin(x):
    return _float_unary(jnp.arcsin)(x)


def arccos(x):
    return _float_unary(jnp.arccos)(x)


def arctan(x):
    return _float_unary(jnp.arctan)(x)


def sinh(x):
    return _float_unary(jnp.sinh)(x)


def cosh(x):
    return _float_unary(jnp.cosh)(x)


def tanh(x):
    return _float_unary(jnp.tanh)(x)


def arcsinh(x):
    return _float_unary(jnp.arcsinh)(x)


def arccosh(x):
    return _float_unary(jnp.arccosh)(x)


def arctanh(x):
    return _float_unary(jnp.arctanh)(x)


def reciprocal(x):
    return _float_unary(jnp.reciprocal)(x)


def clip(x, x_min, x_max):
    x = _to(x)
    dtype = dt.arithmetic_dtype(x.dtype)
    return jnp.clip(x.astype(dtype), _to(x_min, dtype), _to(x_max, dtype))


def isnan(x):
    x = _to(x)
    return jnp.isnan(x) if dt.is_float(x.dtype) else jnp.zeros(x.shape, bool)


def isinf(x):
    x = _to(x)
    return jnp.isinf(x) if dt.is_float(x.dtype) else jnp.zeros(x.shape, bool)


def isfinite(x):
    x = _to(x)
    return jnp.isfinite(x) if dt.is_float(x.dtype) else jnp.ones(x.shape, bool)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _to(x)
    if not dt.is_float(x.dtype):
        return x
    return jnp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


# -- linear algebra -------------------------------------------------------------------------
def _matmul_dtype(*xs):
    dtype = dt.result_type(*xs)
    return "int32" if dtype in ("bool", "int8", "int16", "uint8", "uint16") else dtype


def matmul(x1, x2):
    a, b = _promote(x1, x2, dtype=_matmul_dtype(x1, x2))
    return jnp.matmul(a, b)


def dot(x1, x2):
    a, b = _promote(x1, x2, dtype=_matmul_dtype(x1, x2))
    return jnp.dot(a, b)


def tensordot(x1, x2, axes=2):
    a, b = _promote(x1, x2, dtype=_matmul_dtype(x1, x2))
    return jnp.tensordot(a, b, axes=axes)


def outer(x1, x2):
    a, b = _promote(x1, x2, dtype=dt.arithmetic_dtype(dt.result_type(x1, x2)))
    return jnp.outer(a, b)


def einsum(subscripts, *operands):
    dtype = _matmul_dtype(*operands)
    return jnp.einsum(subscripts, *_promote(*operands, dtype=dtype))


def trace(x, offset=0, axis1=0, axis2=1):
    x = _to(x)
    return jnp.trace(x, offset, axis1, axis2, dtype=dt.accumulate_dtype(x.dtype))


# -- creation -------------------------------------------------------------------------------
def _float_or(dtype):
    return dt.standardize(dtype) or dt.result_type(0.0)


def _shape_arg(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def zeros(shape, dtype=None):
    return jnp.zeros(_shape_arg(shape), dtype=_float_or(dtype))


def ones(shape, dtype=None):
    return jnp.ones(_shape_arg(shape), dtype=_float_or(dtype))


def full(shape, fill_value, dtype=None):
    dtype = dt.standardize(dtype) or dt.dtype_of(fill_value)
    return jnp.full(_shape_arg(shape), _to(fill_value, dtype), dtype=dtype)


def zeros_like(x, dtype=None):
    x = _to(x)
    return jnp.zeros(x.shape, dtype=dt.standardize(dtype) or x.dtype)


def ones_like(x, dtype=None):
    x = _to(x)
    return jnp.ones(x.shape, dtype=dt.standardize(dtype) or x.dtype)


def full_like(x, fill_value, dtype=None):
    x = _to(x)
    dtype = dt.standardize(dtype) or x.dtype
    return jnp.full(x.shape, _to(fill_value, dtype), dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    dtype = dt.standardize(dtype) or dt.result_type(start, stop, step)
    return jnp.arange(start, stop, step, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    dtype = dt.standardize(dtype) or dt.float_dtype(dt.result_type(start, stop))
    out = jnp.linspace(start, stop, num, endpoint=endpoint, retstep=retstep, dtype=dtype, axis=axis)
    return out


def eye(N, M=None, k=0, dtype=None):
    return jnp.eye(N, M, k, dtype=_float_or(dtype))


def identity(n, dtype=None):
    return jnp.eye(n, dtype=_float_or(dtype))


def array(x, dtype=None):
    return _to(x, dt.standardize(dtype))


# shape manipulation and indexing live in numpy_shapes.py; re-exported here
from keraslite.backends.jax.numpy_shapes import *  # noqa: E402,F401,F403


# reductions, cumulative ops and sorting live in numpy_reductions.py; re-exported here
from keraslite.backends.jax.numpy_reductions import *  # noqa: E402,F401,F403
