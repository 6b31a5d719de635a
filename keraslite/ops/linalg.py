"""Linear algebra public ops (``keraslite.ops.linalg``, also exported at ``keraslite.ops``).

Batches of matrices live in the leading axes. Integer inputs are computed in floatx.
"""
from __future__ import annotations

from keraslite import config
from keraslite.backends import core as _core
from keraslite.backends import linalg as _la
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _check_square(x, name: str, op: str):
    shape = tuple(x.shape)
    if len(shape) < 2 or (shape[-1] is not None and shape[-2] is not None
                          and shape[-1] != shape[-2]):
        raise ValueError(f"ops.{op}: argument `{name}` must be a square matrix or a batch of "
                         f"them (shape (..., n, n)). Received: {name}.shape={shape}")


def _check_matrix(x, name: str, op: str):
    if len(tuple(x.shape)) < 2:
        raise ValueError(f"ops.{op}: argument `{name}` must have at least 2 dimensions "
                         f"(a matrix). Received: {name}.shape={tuple(x.shape)}")


def _tensor(x):
    return x if hasattr(x, "shape") and hasattr(x, "dtype") else _np.array(x)


@keras_op
def cholesky(x, upper=False):
    """Cholesky factor of a symmetric positive definite matrix (lower, or upper if asked)."""
    x = _tensor(x)
    _check_square(x, "x", "cholesky")
    return _la.cholesky(x, upper=upper)


@keras_op
def cholesky_inverse(x, upper=False):
    """Inverse of ``A`` from its Cholesky factor ``x`` (``A = x x^H``, or ``x^H x`` if upper)."""
    x = _tensor(x)
    _check_square(x, "x", "cholesky_inverse")
    lower = _np.swapaxes(x, -1, -2) if upper else x
    eye = _np.eye(x.shape[-1], dtype=_np_dtype(lower))
    eye = _np.broadcast_to(eye, tuple(lower.shape)) if len(x.shape) > 2 else eye
    inv_lower = _la.solve_triangular(lower, eye, lower=True)
    return _np.matmul(_np.swapaxes(inv_lower, -1, -2), inv_lower)


def _np_dtype(x) -> str:
    return _core.standardize_dtype(x.dtype)


@keras_op
def det(x):
    x = _tensor(x)
    _check_square(x, "x", "det")
    return _la.det(x)


@keras_op
def slogdet(x):
    """``(sign, log|det|)`` of a square matrix, stable where ``det`` would overflow."""
    x = _tensor(x)
    _check_square(x, "x", "slogdet")
    return _la.slogdet(x)


@keras_op
def logdet(x):
    """``log(det(x))`` of a (Hermitian positive definite) matrix."""
    sign, logabs = slogdet.raw(x)
    return _np.where(_np.greater(sign, 0), logabs, float("nan"))


@keras_op
def eig(x):
    """Eigenvalues and right eigenvectors (columns) of a general square matrix; complex."""
    x = _tensor(x)
    _check_square(x, "x", "eig")
    return _la.eig(x)


@keras_op
def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of a symmetric/Hermitian matrix."""
    x = _tensor(x)
    _check_square(x, "x", "eigh")
    return _la.eigh(x)


@keras_op
def inv(x):
    x = _tensor(x)
    _check_square(x, "x", "inv")
    return _la.inv(x)


@keras_op
def lstsq(a, b, rcond=None):
    """The ``x`` minimising ``||a x - b||`` (the solution only, as Keras returns)."""
    a, b = _tensor(a), _tensor(b)
    if len(a.shape) != 2:
        raise ValueError(f"ops.lstsq: argument `a` must be a matrix (2 dimensions). "
                         f"Received: a.shape={tuple(a.shape)}")
    if len(b.shape) not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"ops.lstsq: argument `b` must have shape ({a.shape[0]},) or "
                         f"({a.shape[0]}, k) to match a.shape={tuple(a.shape)}. "
                         f"Received: b.shape={tuple(b.shape)}")
    return _la.lstsq(a, b, rcond=rcond)


@keras_op
def lu_factor(x):
    """LU factorisation with partial pivoting: ``(lu, pivots)`` as LAPACK's getrf gives them."""
    x = _tensor(x)
    _check_square(x, "x", "lu_factor")
    return _la.lu_factor(x)


@keras_op
def pinv(x, rcond=None):
    x = _tensor(x)
    _check_matrix(x, "x", "pinv")
    return _la.pinv(x, rcond=rcond)


@keras_op
def matrix_rank(x, tol=None):
    """Number of singular values above ``tol`` (default: NumPy's ``S.max() * max(M, N) * eps``)."""
    x = _tensor(x)
    _check_matrix(x, "x", "matrix_rank")
    s = _la.svd(x, compute_uv=False)
    if tol is None:
        eps = 2.220446049250313e-16 if _np_dtype(s) == "float64" else 1.1920929e-07
        tol = _np.multiply(_np.max(s, axis=-1, keepdims=True),
                           float(max(x.shape[-1], x.shape[-2]) * eps))
    return _np.sum(_np.greater(s, tol), axis=-1)


@keras_op
def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"ops.qr: argument `mode` must be 'reduced' or 'complete'. "
                         f"Received: mode={mode!r}")
    x = _tensor(x)
    _check_matrix(x, "x", "qr")
    return _la.qr(x, mode=mode)


@keras_op
def solve(a, b):
    """The ``x`` with ``a x = b`` for square ``a``; ``b`` a vector or a matrix (batched)."""
    a, b = _tensor(a), _tensor(b)
    _check_square(a, "a", "solve")
    _check_rhs(a, b, "solve")
    return _la.solve(a, b)


def _check_rhs(a, b, op):
    n = a.shape[-1]
    rows = b.shape[-2] if len(b.shape) == len(a.shape) else (b.shape[-1] if len(b.shape) else None)
    if len(b.shape) not in (len(a.shape), len(a.shape) - 1) or (
            rows is not None and n is not None and rows != n):
        raise ValueError(f"ops.{op}: argument `b` must have shape (..., {n}) or (..., {n}, k) "
                         f"to match a.shape={tuple(a.shape)}. Received: b.shape={tuple(b.shape)}")


@keras_op
def solve_triangular(a, b, lower=False):
    a, b = _tensor(a), _tensor(b)
    _check_square(a, "a", "solve_triangular")
    _check_rhs(a, b, "solve_triangular")
    return _la.solve_triangular(a, b, lower=lower)


@keras_op
def svd(x, full_matrices=True, compute_uv=True):
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``, or only ``s`` if ``compute_uv=False``."""
    x = _tensor(x)
    _check_matrix(x, "x", "svd")
    return _la.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: ``(fun(*primals), J @ tangents)`` (and aux if ``has_aux``)."""
    if not callable(fun):
        raise TypeError(f"ops.jvp: argument `fun` must be callable. Received: {type(fun)}")
    if len(primals) != len(tangents):
        raise ValueError(f"ops.jvp: `primals` and `tangents` must have the same length. "
                         f"Received: {len(primals)} and {len(tangents)}")
    return _la.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


_VECTOR_ORDS = (None, 0, 1, 2, -1, -2)
_MATRIX_ORDS = (None, "fro", "nuc", 1, -1, 2, -2)


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm with NumPy's ``ord`` meanings (see ``numpy.linalg.norm``)."""
    x = _tensor(x)
    if not _np_dtype(x).startswith(("float", "bfloat", "complex")):
        x = _core.cast(x, config.floatx())
    rank = len(x.shape)
    if axis is None:
        if ord is None:
            out = _np.sqrt(_np.sum(_np.square(_np.abs(x))))
            return _np.reshape(out, (1,) * rank) if keepdims else out
        axis = tuple(range(rank))
        if rank not in (1, 2):
            raise ValueError(f"ops.norm: argument `ord` needs `axis` for a {rank}-D input "
                             f"(a vector or matrix norm). Received: ord={ord!r}, axis=None")
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % rank for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"ops.norm: argument `axis` must be an int or a pair of ints. "
                     f"Received: axis={axis!r}")


def _vector_norm(x, ord, axis, keepdims):
    a = _np.abs(x)
    if ord is None or ord == 2:
        return _np.sqrt(_np.sum(_np.square(a), axis, keepdims))
    if ord == float("inf"):
        return _np.max(a, axis, keepdims)
    if ord == float("-inf"):
        return _np.min(a, axis, keepdims)
    if ord == 0:
        return _core.cast(_np.sum(_np.not_equal(a, 0), axis, keepdims), _np_dtype(a))
    if isinstance(ord, str):
        raise ValueError(f"ops.norm: argument `ord` {ord!r} is a matrix norm; a vector norm "
                         "takes a number. Received: a single `axis`")
    return _np.power(_np.sum(_np.power(a, float(ord)), axis, keepdims), 1.0 / float(ord))


def _matrix_norm(x, ord, axes, keepdims):
    r0, r1 = axes
    if ord is None or ord == "fro":
        return _np.sqrt(_np.sum(_np.square(_np.abs(x)), axes, keepdims))
    if ord in ("nuc", 2, -2):
        moved = _np.moveaxis(x, axes, (-2, -1))
        s = _la.svd(moved, compute_uv=False)
        out = _np.sum(s, -1) if ord == "nuc" else (_np.max(s, -1) if ord == 2 else _np.min(s, -1))
        if keepdims:
            for a in sorted(axes):
                out = _np.expand_dims(out, a)
        return out
    if ord in (1, -1, float("inf"), float("-inf")):
        # 1: largest column sum (reduce rows first); inf: largest row sum
        inner, outer = (r0, r1) if ord in (1, -1) else (r1, r0)
        sums = _np.sum(_np.abs(x), inner, True)
        pick = _np.max if ord in (1, float("inf")) else _np.min
        out = pick(sums, outer, True)
        return out if keepdims else _np.squeeze(out, tuple(sorted(axes)))
    raise ValueError(f"ops.norm: argument `ord` must be one of None, 'fro', 'nuc', inf, -inf, "
                     f"1, -1, 2, -2 for a matrix norm. Received: ord={ord!r}")


__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "logdet", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_triangular", "svd"]
