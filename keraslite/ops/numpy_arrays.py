"""More NumPy array-manipulation ops (``keraslite.ops.numpy``): flips, splits, stacks, grids."""
from __future__ import annotations

from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _rank(x) -> int:
    return len(x.shape) if hasattr(x, "shape") else _np.ndim(x)


@keras_op
def fliplr(x):
    if _rank(x) < 2:
        raise ValueError(f"ops.fliplr: argument `x` must have at least 2 dimensions. "
                         f"Received: x.shape={tuple(x.shape)}")
    return _np.flip(x, 1)


@keras_op
def flipud(x):
    if _rank(x) < 1:
        raise ValueError("ops.flipud: argument `x` must have at least 1 dimension. "
                         "Received: a scalar")
    return _np.flip(x, 0)


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    if len(axes) != 2 or axes[0] % _rank(array) == axes[1] % _rank(array):
        raise ValueError(f"ops.rot90: argument `axes` must be two different axes. "
                         f"Received: axes={axes!r}")
    k %= 4
    a0, a1 = axes
    if k == 0:
        return array
    if k == 2:
        return _np.flip(_np.flip(array, a0), a1)
    perm = list(range(_rank(array)))
    perm[a0 % len(perm)], perm[a1 % len(perm)] = perm[a1 % len(perm)], perm[a0 % len(perm)]
    if k == 1:
        return _np.transpose(_np.flip(array, a1), perm)
    return _np.flip(_np.transpose(array, perm), a1)


@keras_op
def dstack(xs):
    xs = [x if _rank(x) >= 3 else _np.reshape(x, _atleast_3d_shape(x)) for x in xs]
    return _np.concatenate(xs, 2)


def _atleast_3d_shape(x):
    shape = tuple(x.shape)
    if len(shape) == 0:
        return (1, 1, 1)
    if len(shape) == 1:
        return (1, shape[0], 1)
    return shape + (1,)


@keras_op
def array_split(x, indices_or_sections, axis=0):
    """Like ``split``, but ``sections`` need not divide the axis (the first parts are longer)."""
    if isinstance(indices_or_sections, int):
        n = x.shape[axis]
        if indices_or_sections <= 0:
            raise ValueError("ops.array_split: argument `indices_or_sections` must be positive. "
                             f"Received: {indices_or_sections}")
        size, extra = divmod(n, indices_or_sections)
        bounds, start = [], 0
        for i in range(indices_or_sections - 1):
            start += size + (1 if i < extra else 0)
            bounds.append(start)
        indices_or_sections = bounds
    return _np.split(x, list(indices_or_sections), axis)


@keras_op
def hsplit(x, indices_or_sections):
    return _np.split(x, indices_or_sections, 1 if _rank(x) > 1 else 0)


@keras_op
def vsplit(x, indices_or_sections):
    return _np.split(x, indices_or_sections, 0)


@keras_op
def dsplit(x, indices_or_sections):
    return _np.split(x, indices_or_sections, 2)


@keras_op
def append(x1, x2, axis=None):
    if axis is None:
        return _np.concatenate([_np.ravel(x1), _np.ravel(x2)], 0)
    return _np.concatenate([x1, x2], axis)


@keras_op
def diagflat(x, k=0):
    return _np.diag(_np.ravel(x), k)


@keras_op
def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal of an ``N x M`` matrix."""
    return _np.tril(_np.ones((N, N if M is None else M), dtype or "float32"), k)


def meshgrid(*x, indexing="xy"):
    """Coordinate matrices from coordinate vectors, as ``numpy.meshgrid``."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"ops.meshgrid: argument `indexing` must be 'xy' or 'ij'. "
                         f"Received: indexing={indexing!r}")
    return _meshgrid(*x, indexing=indexing)


@keras_op
def _meshgrid(*x, indexing="xy"):
    vectors = [_np.ravel(v) for v in x]
    sizes = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, v in enumerate(vectors):
        axis = i
        if indexing == "xy" and len(vectors) >= 2 and i < 2:
            axis = 1 - i
        shape = [1] * len(vectors)
        shape[axis] = v.shape[0]
        out.append(_np.broadcast_to(_np.reshape(v, shape), tuple(sizes)))
    return out


@keras_op
def copy(x):
    return _np.add(_np.zeros_like(x), x) if _np.ndim(x) else _np.array(x)


@keras_op
def empty(shape, dtype=None):
    """A new array of ``shape`` (zeros: backends have no uninitialised memory)."""
    return _np.zeros(shape, dtype)


@keras_op
def empty_like(x, dtype=None):
    return _np.zeros_like(x, dtype)


@keras_op
def inner(x1, x2):
    if _rank(x1) == 0 or _rank(x2) == 0:
        return _np.multiply(x1, x2)
    return _np.tensordot(x1, x2, [[_rank(x1) - 1], [_rank(x2) - 1]])


@keras_op
def vdot(x1, x2):
    return _np.dot(_np.ravel(x1), _np.ravel(x2))


__all__ = ["append", "array_split", "copy", "diagflat", "dsplit", "dstack", "empty",
           "empty_like", "fliplr", "flipud", "hsplit", "inner", "meshgrid", "rot90", "tri",
           "vdot", "vsplit"]
