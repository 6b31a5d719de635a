"""NumPy-like shape manipulation and indexing on TensorFlow tensors
(re-exported by backends/tensorflow/numpy.py)."""
from __future__ import annotations

import builtins
import numpy as np
import tensorflow as tf
from keraslite.backends.tensorflow.numpy import (  # defined before numpy imports us
    _dim, _promote, _rank, _to)


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


__all__ = [
    "shape",
    "ndim",
    "size",
    "reshape",
    "ravel",
    "transpose",
    "expand_dims",
    "squeeze",
    "swapaxes",
    "moveaxis",
    "broadcast_to",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "unstack",
    "split",
    "tile",
    "repeat",
    "pad",
    "flip",
    "roll",
    "triu",
    "tril",
    "diagonal",
    "diag",
    "where",
    "nonzero",
    "take",
    "take_along_axis",
    "get_item",
]
