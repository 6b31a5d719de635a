"""NumPy-like shape manipulation and indexing on JAX arrays
(re-exported by backends/jax/numpy.py)."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from keraslite.backends.common import dtypes as dt
from keraslite.backends.jax.numpy import (  # defined before numpy imports us
    _axis, _promote, _to)


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
    "diag",
    "diagonal",
    "where",
    "nonzero",
    "take",
    "take_along_axis",
    "get_item",
]
