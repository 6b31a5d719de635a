"""Linear algebra on JAX arrays (``keraslite.ops.linalg``). Integer inputs compute in floatx;
every function works on a batch of matrices in the leading axes, as NumPy's ``linalg`` does."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from keraslite.backends.common import dtypes as dt


def _float(x):
    x = jnp.asarray(x) if not isinstance(x, jax.Array) else x
    dtype = dt.float_dtype(dt.dtype_of(x)) if not jnp.iscomplexobj(x) else x.dtype
    return x.astype(dtype)


def cholesky(x, upper=False):
    lower = jnp.linalg.cholesky(_float(x))
    return jnp.conj(jnp.swapaxes(lower, -1, -2)) if upper else lower


def det(x):
    return jnp.linalg.det(_float(x))


def slogdet(x):
    return jnp.linalg.slogdet(_float(x))


def eig(x):
    # XLA has eig only on CPU; NumPy's result layout (values, right vectors in columns)
    return jnp.linalg.eig(_float(x))


def eigh(x):
    return jnp.linalg.eigh(_float(x))


def inv(x):
    return jnp.linalg.inv(_float(x))


def lstsq(a, b, rcond=None):
    a, b = _float(a), _float(b)
    return jnp.linalg.lstsq(a, b.astype(a.dtype), rcond=rcond)[0]


def lu_factor(x):
    lu, pivots = jsl.lu_factor(_float(x))
    return lu, pivots.astype("int32")


def qr(x, mode="reduced"):
    return jnp.linalg.qr(_float(x), mode=mode)


def _matrix_rhs(fn, a, b):
    # a vector right-hand side per matrix of a batch: NumPy's rule, which jnp dropped in 0.5
    a, b = _float(a), _float(b)
    b = b.astype(a.dtype)
    if b.ndim == a.ndim - 1:
        return fn(a, b[..., None])[..., 0]
    return fn(a, b)


def solve(a, b):
    return _matrix_rhs(jnp.linalg.solve, a, b)


def solve_triangular(a, b, lower=False):
    return _matrix_rhs(lambda x, y: jsl.solve_triangular(x, y, lower=lower), a, b)


def svd(x, full_matrices=True, compute_uv=True):
    return jnp.linalg.svd(_float(x), full_matrices=full_matrices, compute_uv=compute_uv)


def jvp(fun, primals, tangents, has_aux=False):
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)


def pinv(a, rcond=None):
    # NumPy's default cutoff (10 * max(M, N) * eps of the largest singular value) when None
    return jnp.linalg.pinv(_float(a), rtol=rcond)
