"""NumPy-like ops on JAX arrays. Result dtypes follow ``keraslite.backends.common.dtypes``."""
from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

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


# -- shapes ---------------------------------------------------------------------------------
def shape(x):
    return tuple(jnp.shape(x))


def ndim(x):
    return jnp.ndim(x)


def size(x):
    return int(np.prod(jnp.shape(x), dtype=np.int64))


def reshape(x, newshape):
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    return jnp.reshape(_to(x), newshape)


def ravel(x):
    return jnp.ravel(_to(x))


def transpose(x, axes=None):
    return jnp.transpose(_to(x), axes)


def expand_dims(x, axis):
    return jnp.expand_dims(_to(x), _axis(axis))


def squeeze(x, axis=None):
    return jnp.squeeze(_to(x), _axis(axis))


def swapaxes(x, axis1, axis2):
    return jnp.swapaxes(_to(x), axis1, axis2)


def moveaxis(x, source, destination):
    return jnp.moveaxis(_to(x), source, destination)


def broadcast_to(x, shape):
    return jnp.broadcast_to(_to(x), tuple(shape))


def concatenate(xs, axis=0):
    return jnp.concatenate(_promote(*xs), axis=axis)


def stack(x, axis=0):
    return jnp.stack(_promote(*x), axis=axis)


def hstack(xs):
    return jnp.hstack(_promote(*xs))


def vstack(xs):
    return jnp.vstack(_promote(*xs))


def unstack(x, num=None, axis=0):
    x = _to(x)
    return [jnp.squeeze(p, axis) for p in jnp.split(x, x.shape[axis], axis=axis)]


def split(x, indices_or_sections, axis=0):
    return jnp.split(_to(x), indices_or_sections, axis=axis)


def tile(x, repeats):
    return jnp.tile(_to(x), repeats)


def repeat(x, repeats, axis=None):
    return jnp.repeat(_to(x), repeats, axis=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _to(x)
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError(
            "pad: mode must be one of ['constant', 'reflect', 'symmetric']. "
            f"Received: mode={mode!r}"
        )
    kwargs = {}
    if constant_values is not None:
        if mode != "constant":
            raise ValueError(
                f"pad: constant_values is only used with mode='constant'. Received: mode={mode!r}"
            )
        kwargs["constant_values"] = constant_values
    return jnp.pad(x, pad_width, mode=mode, **kwargs)


def flip(x, axis=None):
    return jnp.flip(_to(x), axis=_axis(axis))


def roll(x, shift, axis=None):
    return jnp.roll(_to(x), shift, axis=_axis(axis))


def triu(x, k=0):
    return jnp.triu(_to(x), k)


def tril(x, k=0):
    return jnp.tril(_to(x), k)


def diag(x, k=0):
    return jnp.diag(_to(x), k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return jnp.diagonal(_to(x), offset, axis1, axis2)


# -- selection ------------------------------------------------------------------------------
def where(condition, x1=None, x2=None):
    condition = _to(condition, "bool")
    if x1 is None and x2 is None:
        return tuple(i.astype("int32") for i in jnp.nonzero(condition))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither.")
    a, b = _promote(x1, x2)
    return jnp.where(condition, a, b)


def nonzero(x):
    return tuple(i.astype("int32") for i in jnp.nonzero(_to(x)))


def _fix_indices(indices, n):
    """NumPy-style negative indices, then clipped into range (out-of-range never errors)."""
    indices = _to(indices)
    if not dt.is_int(indices.dtype):
        indices = indices.astype("int32")
    indices = jnp.where(indices < 0, indices + n, indices)
    return jnp.clip(indices, 0, n - 1)


def take(x, indices, axis=None):
    x = _to(x)
    if axis is None:
        x, axis = jnp.ravel(x), 0
    return jnp.take(x, _fix_indices(indices, x.shape[axis]), axis=axis, mode="clip")


def take_along_axis(x, indices, axis=None):
    x = _to(x)
    if axis is None:
        x, axis = jnp.ravel(x), 0
    indices = _fix_indices(indices, x.shape[axis])
    return jnp.take_along_axis(x, indices, axis=axis, mode="clip")


def _index_part(k):
    if k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)):
        return k
    if isinstance(k, (list, np.ndarray)):
        return np.asarray(k)
    return k


def get_item(x, key):
    x = _to(x)
    if isinstance(key, tuple):
        key = tuple(_index_part(k) for k in key)
    else:
        key = _index_part(key)
    return x[key]


# -- reductions -----------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    x = _to(x)
    return jnp.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=dt.accumulate_dtype(x.dtype))


def prod(x, axis=None, keepdims=False):
    x = _to(x)
    return jnp.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=dt.accumulate_dtype(x.dtype))


def mean(x, axis=None, keepdims=False):
    x = _to(x)
    out_dtype = dt.float_dtype(x.dtype)
    compute = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    return jnp.mean(x.astype(compute), axis=_axis(axis), keepdims=keepdims).astype(out_dtype)


def var(x, axis=None, keepdims=False):
    x = _to(x)
    out_dtype = dt.float_dtype(x.dtype)
    compute = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    return jnp.var(x.astype(compute), axis=_axis(axis), keepdims=keepdims).astype(out_dtype)


def std(x, axis=None, keepdims=False):
    return jnp.sqrt(var(x, axis=axis, keepdims=keepdims))


def max(x, axis=None, keepdims=False, initial=None):
    return jnp.max(_to(x), axis=_axis(axis), keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    return jnp.min(_to(x), axis=_axis(axis), keepdims=keepdims, initial=initial)


def amax(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return min(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return jnp.any(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return jnp.all(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    return jnp.argmax(_to(x), axis=axis, keepdims=keepdims).astype("int32")


def argmin(x, axis=None, keepdims=False):
    return jnp.argmin(_to(x), axis=axis, keepdims=keepdims).astype("int32")


def cumsum(x, axis=None, dtype=None):
    x = _to(x)
    dtype = dt.standardize(dtype) or dt.accumulate_dtype(x.dtype)
    return jnp.cumsum(x.astype(dtype), axis=axis)


def cumprod(x, axis=None, dtype=None):
    x = _to(x)
    dtype = dt.standardize(dtype) or dt.accumulate_dtype(x.dtype)
    return jnp.cumprod(x.astype(dtype), axis=axis)


def count_nonzero(x, axis=None):
    return jnp.sum(_to(x) != 0, axis=_axis(axis), dtype="int32")


def sort(x, axis=-1):
    return jnp.sort(_to(x), axis=axis)


def argsort(x, axis=-1):
    return jnp.argsort(_to(x), axis=axis, stable=True).astype("int32")


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
