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


# -- shapes ---------------------------------------------------------------------------------
def shape(x):
    x = _to(x)
    return tuple(_dim(x, i) for i in range(_rank(x)))


def ndim(x):
    return _rank(_to(x))


def size(x):
    x = _to(x)
    if x.shape.is_fully_defined():
        return int(np.prod(x.shape.as_list(), dtype=np.int64))
    return tf.size(x, out_type=tf.int32)


def reshape(x, newshape):
    newshape = [newshape] if isinstance(newshape, int) else list(newshape)
    return tf.reshape(_to(x), newshape)


def ravel(x):
    return tf.reshape(_to(x), [-1])


def transpose(x, axes=None):
    return tf.transpose(_to(x), perm=None if axes is None else list(axes))


def expand_dims(x, axis):
    x = _to(x)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out_rank = _rank(x) + len(axes)
    for a in sorted(a + out_rank if a < 0 else a for a in axes):
        x = tf.expand_dims(x, a)
    return x


def squeeze(x, axis=None):
    x = _to(x)
    if axis is None:
        return tf.squeeze(x)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    return tf.squeeze(x, axes)


def _perm_move(n, source, destination):
    source = [s % n for s in (source if isinstance(source, (list, tuple)) else [source])]
    destination = [d % n for d in (destination if isinstance(destination, (list, tuple)) else [destination])]
    order = [i for i in range(n) if i not in source]
    for d, s in sorted(zip(destination, source)):
        order.insert(d, s)
    return order


def swapaxes(x, axis1, axis2):
    x = _to(x)
    perm = list(range(_rank(x)))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return tf.transpose(x, perm)


def moveaxis(x, source, destination):
    x = _to(x)
    return tf.transpose(x, _perm_move(_rank(x), source, destination))


def broadcast_to(x, shape):
    return tf.broadcast_to(_to(x), list(shape))


def concatenate(xs, axis=0):
    return tf.concat(_promote(*xs), axis=axis)


def stack(x, axis=0):
    return tf.stack(_promote(*x), axis=axis)


def hstack(xs):
    xs = _promote(*xs)
    return tf.concat(xs, axis=0 if _rank(xs[0]) == 1 else 1)


def vstack(xs):
    xs = [x if _rank(x) >= 2 else tf.reshape(x, [1, -1]) for x in _promote(*xs)]
    return tf.concat(xs, axis=0)


def unstack(x, num=None, axis=0):
    return tf.unstack(_to(x), num=num, axis=axis)


def split(x, indices_or_sections, axis=0):
    x = _to(x)
    if isinstance(indices_or_sections, int):
        return tf.split(x, indices_or_sections, axis=axis)
    n = x.shape[axis]
    bounds = [0] + [builtins.min(int(i), n) for i in indices_or_sections] + [n]
    return tf.split(x, [b - a for a, b in zip(bounds[:-1], bounds[1:])], axis=axis)


def tile(x, repeats):
    x = _to(x)
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    if len(repeats) > _rank(x):
        x = tf.reshape(x, [1] * (len(repeats) - _rank(x)) + list(shape(x)))
    repeats = [1] * (_rank(x) - len(repeats)) + repeats
    return tf.tile(x, repeats)


def repeat(x, repeats, axis=None):
    return tf.repeat(_to(x), repeats, axis=axis)


_PAD_MODES = {"constant": "CONSTANT", "reflect": "REFLECT", "symmetric": "SYMMETRIC"}


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _to(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {sorted(_PAD_MODES)}. Received: mode={mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(
            f"pad: constant_values is only used with mode='constant'. Received: mode={mode!r}"
        )
    widths = np.broadcast_to(np.asarray(pad_width, dtype="int64"), (_rank(x), 2)).tolist()
    value = 0 if constant_values is None else constant_values
    return tf.pad(x, widths, mode=_PAD_MODES[mode], constant_values=tf.cast(value, x.dtype))


def flip(x, axis=None):
    x = _to(x)
    if axis is None:
        axis = list(range(_rank(x)))
    axis = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    return tf.reverse(x, axis)


def roll(x, shift, axis=None):
    x = _to(x)
    if axis is None:
        return tf.reshape(tf.roll(tf.reshape(x, [-1]), shift, 0), tf.shape(x))
    return tf.roll(x, shift, axis)


def _band_mask(x, k, lower):
    rows = tf.range(_dim(x, -2))[:, None]
    cols = tf.range(_dim(x, -1))[None, :]
    return (cols - rows <= k) if lower else (cols - rows >= k)


def triu(x, k=0):
    x = _to(x)
    return tf.where(_band_mask(x, k, lower=False), x, tf.zeros_like(x))


def tril(x, k=0):
    x = _to(x)
    return tf.where(_band_mask(x, k, lower=True), x, tf.zeros_like(x))


def diagonal(x, offset=0, axis1=0, axis2=1):
    x = _to(x)
    x = tf.transpose(x, _perm_move(_rank(x), [axis1, axis2], [-2, -1]))
    return tf.linalg.diag_part(x, k=offset)


def diag(x, k=0):
    x = _to(x)
    if _rank(x) == 1:
        return tf.linalg.diag(x, k=k)
    if _rank(x) == 2:
        return tf.linalg.diag_part(x, k=k)
    raise ValueError(f"diag: input must be 1D or 2D. Received: shape={tuple(x.shape)}")


# -- selection ------------------------------------------------------------------------------
def where(condition, x1=None, x2=None):
    condition = _to(condition, "bool")
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither.")
    a, b = _promote(x1, x2)
    return tf.where(condition, a, b)


def nonzero(x):
    x = _to(x)
    if x.dtype != tf.bool:
        x = tf.not_equal(x, tf.zeros([], x.dtype))
    idx = tf.cast(tf.where(x), "int32")
    return tuple(idx[:, i] for i in range(_rank(x)))


def _fix_indices(indices, n):
    """NumPy-style negative indices, then clipped into range (out-of-range never errors)."""
    indices = _to(indices)
    indices = tf.cast(indices, "int64" if indices.dtype == tf.int64 else "int32")
    n = tf.cast(n, indices.dtype)
    indices = tf.where(indices < 0, indices + n, indices)
    return tf.clip_by_value(indices, tf.zeros([], indices.dtype), n - 1)


def take(x, indices, axis=None):
    x = _to(x)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    axis = axis % _rank(x)
    return tf.gather(x, _fix_indices(indices, _dim(x, axis)), axis=axis)


def take_along_axis(x, indices, axis=None):
    x = _to(x)
    indices = _to(indices)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    r = _rank(x)
    axis = axis % r
    indices = _fix_indices(indices, _dim(x, axis))
    # broadcast every axis but `axis`, move it last, and gather with all others as batch dims
    x_shape = tf.shape(x)
    i_shape = tf.shape(indices)
    x_b = tf.tensor_scatter_nd_update(x_shape, [[axis]], [1])
    i_b = tf.tensor_scatter_nd_update(i_shape, [[axis]], [1])
    common = tf.broadcast_dynamic_shape(x_b, tf.cast(i_b, x_b.dtype))
    x = tf.broadcast_to(x, tf.tensor_scatter_nd_update(common, [[axis]], [x_shape[axis]]))
    indices = tf.broadcast_to(
        indices, tf.tensor_scatter_nd_update(common, [[axis]], [tf.cast(i_shape[axis], common.dtype)])
    )
    perm = _perm_move(r, axis, -1)
    out = tf.gather(tf.transpose(x, perm), tf.transpose(indices, perm), batch_dims=r - 1)
    return tf.transpose(out, _perm_move(r, -1, axis))


def _is_array_index(k):
    return isinstance(k, (list, np.ndarray)) or tf.is_tensor(k) and k.shape.rank != 0


def get_item(x, key):
    x = _to(x)
    if not isinstance(key, tuple):
        key = (key,)
    if not builtins.any(_is_array_index(k) for k in key):
        return x.__getitem__(key if len(key) != 1 else key[0])
    return _advanced_index(x, key)


def _advanced_index(x, key):
    """NumPy advanced indexing: integer/boolean arrays (plus ints, slices, None, Ellipsis)."""
    # booleans become the integer indices of their True entries
    expanded = []
    for k in key:
        if _is_array_index(k):
            t = _to(k)
            if t.dtype == tf.bool:
                nz = tf.cast(tf.where(t), "int32")
                expanded.extend(nz[:, i] for i in range(t.shape.rank))
                continue
            expanded.append(t)
        else:
            expanded.append(k)
    key = expanded
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("get_item: an index can only have a single Ellipsis.")
    if Ellipsis in [k if k is Ellipsis else 0 for k in key]:
        i = [k is Ellipsis for k in key].index(True)
        key = key[:i] + [slice(None)] * (_rank(x) - n_real) + key[i + 1:]
    else:
        key = key + [slice(None)] * (_rank(x) - n_real)
    # with any array present, ints count as (0-d) array indices too
    is_adv = [not (k is None or isinstance(k, slice)) for k in key]
    basic = tuple(slice(None) if a else k for k, a in zip(key, is_adv))
    y = x.__getitem__(basic)  # one axis per key entry now
    adv_axes = [i for i, a in enumerate(is_adv) if a]
    idx = []
    for i in adv_axes:
        t = key[i]
        idx.append(tf.cast(_fix_indices(t if tf.is_tensor(t) else np.asarray(t), _dim(y, i)), "int64"))
    bshape = idx[0].shape
    for t in idx[1:]:
        bshape = tf.broadcast_static_shape(bshape, t.shape)
    dyn = tf.shape(idx[0])
    for t in idx[1:]:
        dyn = tf.broadcast_dynamic_shape(dyn, tf.shape(t))
    idx = [tf.broadcast_to(t, dyn) for t in idx]
    rest = [i for i in range(len(key)) if i not in adv_axes]
    y = tf.transpose(y, adv_axes + rest)
    out = tf.gather_nd(y, tf.stack(idx, axis=-1))
    nb = bshape.rank
    contiguous = adv_axes == list(range(adv_axes[0], adv_axes[0] + len(adv_axes)))
    if contiguous and adv_axes[0] > 0:
        p = adv_axes[0]
        perm = list(range(nb, nb + p)) + list(range(nb)) + list(range(nb + p, nb + len(rest)))
        out = tf.transpose(out, perm)
    return out


# -- reductions -----------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    x = _to(x)
    return tf.reduce_sum(tf.cast(x, dt.accumulate_dtype(x.dtype.name)), axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    x = _to(x)
    return tf.reduce_prod(tf.cast(x, dt.accumulate_dtype(x.dtype.name)), axis=_axis(axis), keepdims=keepdims)


def _float_compute(x):
    out_dtype = dt.float_dtype(x.dtype.name)
    compute = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    return tf.cast(x, compute), out_dtype


def mean(x, axis=None, keepdims=False):
    x, out_dtype = _float_compute(_to(x))
    return tf.cast(tf.reduce_mean(x, axis=_axis(axis), keepdims=keepdims), out_dtype)


def var(x, axis=None, keepdims=False):
    x, out_dtype = _float_compute(_to(x))
    centered = x - tf.reduce_mean(x, axis=_axis(axis), keepdims=True)
    return tf.cast(tf.reduce_mean(tf.square(centered), axis=_axis(axis), keepdims=keepdims), out_dtype)


def std(x, axis=None, keepdims=False):
    return tf.sqrt(var(x, axis=axis, keepdims=keepdims))


def max(x, axis=None, keepdims=False, initial=None):
    x = _to(x)
    if x.dtype == tf.bool:
        out = tf.reduce_any(x, axis=_axis(axis), keepdims=keepdims)
    else:
        out = tf.reduce_max(x, axis=_axis(axis), keepdims=keepdims)
    return out if initial is None else maximum(out, tf.cast(initial, out.dtype))


def min(x, axis=None, keepdims=False, initial=None):
    x = _to(x)
    if x.dtype == tf.bool:
        out = tf.reduce_all(x, axis=_axis(axis), keepdims=keepdims)
    else:
        out = tf.reduce_min(x, axis=_axis(axis), keepdims=keepdims)
    return out if initial is None else minimum(out, tf.cast(initial, out.dtype))


def amax(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return min(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def _arg(fn, x, axis, keepdims):
    x = _to(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, "int32")
    if axis is None:
        out = fn(tf.reshape(x, [-1]), axis=0, output_type=tf.int32)
        return tf.reshape(out, [1] * _rank(x)) if keepdims else out
    out = fn(x, axis=axis, output_type=tf.int32)
    return tf.expand_dims(out, axis) if keepdims else out


def argmax(x, axis=None, keepdims=False):
    return _arg(tf.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(tf.argmin, x, axis, keepdims)


def cumsum(x, axis=None, dtype=None):
    x = _to(x)
    x = tf.cast(x, dt.standardize(dtype) or dt.accumulate_dtype(x.dtype.name))
    if axis is None:
        return tf.cumsum(tf.reshape(x, [-1]), axis=0)
    return tf.cumsum(x, axis=axis)


def cumprod(x, axis=None, dtype=None):
    x = _to(x)
    x = tf.cast(x, dt.standardize(dtype) or dt.accumulate_dtype(x.dtype.name))
    if axis is None:
        return tf.math.cumprod(tf.reshape(x, [-1]), axis=0)
    return tf.math.cumprod(x, axis=axis)


def count_nonzero(x, axis=None):
    x = _to(x)
    nz = tf.not_equal(x, tf.zeros([], x.dtype))
    return tf.reduce_sum(tf.cast(nz, "int32"), axis=_axis(axis))


def sort(x, axis=-1):
    x = _to(x)
    if x.dtype == tf.bool:
        return tf.cast(tf.sort(tf.cast(x, "int32"), axis=axis), tf.bool)
    return tf.sort(x, axis=axis)


def argsort(x, axis=-1):
    x = _to(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, "int32")
    return tf.cast(tf.argsort(x, axis=axis, stable=True), "int32")


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
