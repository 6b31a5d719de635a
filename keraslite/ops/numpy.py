"""NumPy-like public ops (``keraslite.ops.add``, ``keraslite.ops.matmul``, ...).

Each op accepts tensors, NumPy arrays, Python scalars, ``Variable``s and, in the functional
API, ``KerasTensor``s. Result dtypes are the same on every backend; see
``keraslite.backends.common.dtypes`` for the promotion rules.
"""
from __future__ import annotations

from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op
from keraslite.ops.keras_tensor import KerasTensor


@keras_op
def matmul(x1, x2):
    return _np.matmul(x1, x2)


@keras_op
def dot(x1, x2):
    return _np.dot(x1, x2)


@keras_op
def tensordot(x1, x2, axes=2):
    return _np.tensordot(x1, x2, axes)


@keras_op
def outer(x1, x2):
    return _np.outer(x1, x2)


@keras_op
def einsum(subscripts, *operands):
    return _np.einsum(subscripts, *operands)


@keras_op
def trace(x, offset=0, axis1=0, axis2=1):
    return _np.trace(x, offset, axis1, axis2)


@keras_op
def size(x):
    return _np.size(x)


@keras_op
def reshape(x, newshape):
    return _np.reshape(x, newshape)


@keras_op
def ravel(x):
    return _np.ravel(x)


@keras_op
def transpose(x, axes=None):
    return _np.transpose(x, axes)


@keras_op
def expand_dims(x, axis):
    return _np.expand_dims(x, axis)


@keras_op
def squeeze(x, axis=None):
    return _np.squeeze(x, axis)


@keras_op
def swapaxes(x, axis1, axis2):
    return _np.swapaxes(x, axis1, axis2)


@keras_op
def moveaxis(x, source, destination):
    return _np.moveaxis(x, source, destination)


@keras_op
def broadcast_to(x, shape):
    return _np.broadcast_to(x, shape)


@keras_op
def concatenate(xs, axis=0):
    return _np.concatenate(xs, axis)


@keras_op
def stack(x, axis=0):
    return _np.stack(x, axis)


@keras_op
def hstack(xs):
    return _np.hstack(xs)


@keras_op
def vstack(xs):
    return _np.vstack(xs)


@keras_op
def unstack(x, num=None, axis=0):
    return _np.unstack(x, num, axis)


@keras_op
def split(x, indices_or_sections, axis=0):
    return _np.split(x, indices_or_sections, axis)


@keras_op
def tile(x, repeats):
    return _np.tile(x, repeats)


@keras_op
def repeat(x, repeats, axis=None):
    return _np.repeat(x, repeats, axis)


@keras_op
def pad(x, pad_width, mode='constant', constant_values=None):
    return _np.pad(x, pad_width, mode, constant_values)


@keras_op
def flip(x, axis=None):
    return _np.flip(x, axis)


@keras_op
def roll(x, shift, axis=None):
    return _np.roll(x, shift, axis)


@keras_op
def triu(x, k=0):
    return _np.triu(x, k)


@keras_op
def tril(x, k=0):
    return _np.tril(x, k)


@keras_op
def diag(x, k=0):
    return _np.diag(x, k)


@keras_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    return _np.diagonal(x, offset, axis1, axis2)


@keras_op
def where(condition, x1=None, x2=None):
    return _np.where(condition, x1, x2)


@keras_op
def nonzero(x):
    return _np.nonzero(x)


@keras_op
def take(x, indices, axis=None):
    return _np.take(x, indices, axis)


@keras_op
def take_along_axis(x, indices, axis=None):
    return _np.take_along_axis(x, indices, axis)


@keras_op
def get_item(x, key):
    return _np.get_item(x, key)


@keras_op
def sum(x, axis=None, keepdims=False):
    return _np.sum(x, axis, keepdims)


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    if dtype is not None:  # Keras multiplies in the requested dtype
        from keraslite.backends import core as _core
        from keraslite.backends.common import dtypes as _dt

        x = _core.cast(x, _dt.standardize(dtype))
    return _np.prod(x, axis, keepdims)


@keras_op
def mean(x, axis=None, keepdims=False):
    return _np.mean(x, axis, keepdims)


@keras_op
def var(x, axis=None, keepdims=False):
    return _np.var(x, axis, keepdims)


@keras_op
def std(x, axis=None, keepdims=False):
    return _np.std(x, axis, keepdims)


@keras_op
def max(x, axis=None, keepdims=False, initial=None):
    return _np.max(x, axis, keepdims, initial)


@keras_op
def min(x, axis=None, keepdims=False, initial=None):
    return _np.min(x, axis, keepdims, initial)


@keras_op
def amax(x, axis=None, keepdims=False):
    return _np.amax(x, axis, keepdims)


@keras_op
def amin(x, axis=None, keepdims=False):
    return _np.amin(x, axis, keepdims)


@keras_op
def any(x, axis=None, keepdims=False):
    return _np.any(x, axis, keepdims)


@keras_op
def all(x, axis=None, keepdims=False):
    return _np.all(x, axis, keepdims)


@keras_op
def argmax(x, axis=None, keepdims=False):
    return _np.argmax(x, axis, keepdims)


@keras_op
def argmin(x, axis=None, keepdims=False):
    return _np.argmin(x, axis, keepdims)


@keras_op
def cumsum(x, axis=None, dtype=None):
    return _np.cumsum(x, axis, dtype)


@keras_op
def cumprod(x, axis=None, dtype=None):
    return _np.cumprod(x, axis, dtype)


@keras_op
def count_nonzero(x, axis=None):
    return _np.count_nonzero(x, axis)


@keras_op
def sort(x, axis=-1):
    return _np.sort(x, axis)


@keras_op
def argsort(x, axis=-1):
    return _np.argsort(x, axis)


@keras_op
def zeros(shape, dtype=None):
    return _np.zeros(shape, dtype)


@keras_op
def ones(shape, dtype=None):
    return _np.ones(shape, dtype)


@keras_op
def full(shape, fill_value, dtype=None):
    return _np.full(shape, fill_value, dtype)


@keras_op
def zeros_like(x, dtype=None):
    return _np.zeros_like(x, dtype)


@keras_op
def ones_like(x, dtype=None):
    return _np.ones_like(x, dtype)


@keras_op
def full_like(x, fill_value, dtype=None):
    return _np.full_like(x, fill_value, dtype)


@keras_op
def arange(start, stop=None, step=1, dtype=None):
    return _np.arange(start, stop, step, dtype)


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return _np.linspace(start, stop, num, endpoint, retstep, dtype, axis)


@keras_op
def eye(N, M=None, k=0, dtype=None):
    return _np.eye(N, M, k, dtype)


@keras_op
def identity(n, dtype=None):
    return _np.identity(n, dtype)


@keras_op
def array(x, dtype=None):
    return _np.array(x, dtype)



def ndim(x) -> int:
    """Number of axes of ``x`` (works on symbolic tensors too)."""
    if isinstance(x, KerasTensor) or hasattr(x, "shape") and not callable(getattr(x, "shape")):
        return len(x.shape)
    return _np.ndim(x)


@keras_op
def absolute(x):
    return _np.abs(x)


from keraslite.ops.numpy_arithmetic import *  # noqa: E402,F401,F403
from keraslite.ops.numpy_arrays import *  # noqa: E402,F401,F403
from keraslite.ops.numpy_elementwise import *  # noqa: E402,F401,F403
from keraslite.ops.linalg import slogdet  # noqa: E402,F401  (keras.ops.numpy.slogdet)
from keraslite.ops.numpy_bitwise import *  # noqa: E402,F401,F403
from keraslite.ops.numpy_complex import *  # noqa: E402,F401,F403
from keraslite.ops.numpy_misc import *  # noqa: E402,F401,F403
from keraslite.ops.numpy_stats import *  # noqa: E402,F401,F403
from keraslite.ops.control import vectorize, view  # noqa: E402,F401

__all__ = [name for name in dir() if not name.startswith("_") and name not in (
    "annotations", "keras_op", "KerasTensor", "polar")]
