"""Linear algebra on TensorFlow tensors (``keraslite.ops.linalg``). Integer inputs compute in
floatx; results follow NumPy's ``linalg`` layouts (batches of matrices in the leading axes)."""
from __future__ import annotations

import tensorflow as tf

from keraslite.backends.common import dtypes as dt


def _float(x):
    if isinstance(x, tf.Variable):
        x = x.value()
    x = tf.convert_to_tensor(x) if not tf.is_tensor(x) else x
    if x.dtype.is_complex:
        return x
    dtype = dt.float_dtype(dt.dtype_of(x))
    return x if x.dtype.name == dtype else tf.cast(x, dtype)


def _t(x):
    return tf.linalg.adjoint(x)


def cholesky(x, upper=False):
    lower = tf.linalg.cholesky(_float(x))
    return _t(lower) if upper else lower


def det(x):
    return tf.linalg.det(_float(x))


def slogdet(x):
    return tuple(tf.linalg.slogdet(_float(x)))


def eig(x):
    # tf.linalg.eig always answers in complex, as NumPy does for general matrices
    return tuple(tf.linalg.eig(_float(x)))


def eigh(x):
    return tuple(tf.linalg.eigh(_float(x)))


def inv(x):
    return tf.linalg.inv(_float(x))


def lstsq(a, b, rcond=None):
    a = _float(a)
    b = tf.cast(_float(b), a.dtype)
    vector = b.shape.rank == a.shape.rank - 1
    if vector:
        b = b[..., None]
    # least squares through the pseudo-inverse: NumPy's cutoff rule, stable for rank-deficient a
    x = tf.matmul(pinv(a, rcond), b)
    return x[..., 0] if vector else x


def lu_factor(x):
    lu, perm = tf.linalg.lu(_float(x))
    # tf gives the row permutation; LAPACK (and Keras) give sequential row swaps
    return lu, _perm_to_pivots(perm)


def _perm_to_pivots(perm):
    n = perm.shape[-1]
    batch = tf.shape(perm)[:-1]
    flat = tf.reshape(perm, (-1, n))

    def one(p):
        # pos[v] is where value v sits; swap rows i and pos[p[i]] in order
        current = tf.range(n)
        pos = tf.range(n)
        piv = tf.TensorArray(tf.int32, size=n)
        for i in range(n):
            j = pos[p[i]]
            piv = piv.write(i, j)
            ci, cj = current[i], current[j]
            current = tf.tensor_scatter_nd_update(current, [[i], [j]], [cj, ci])
            pos = tf.tensor_scatter_nd_update(pos, [[cj], [ci]], [i, j])
        return piv.stack()

    pivots = tf.map_fn(one, tf.cast(flat, tf.int32), fn_output_signature=tf.int32)
    return tf.reshape(pivots, tf.concat([batch, [n]], 0))


def qr(x, mode="reduced"):
    q, r = tf.linalg.qr(_float(x), full_matrices=(mode == "complete"))
    return q, r


def solve(a, b):
    a = _float(a)
    b = tf.cast(_float(b), a.dtype)
    vector = b.shape.rank == a.shape.rank - 1
    out = tf.linalg.solve(a, b[..., None] if vector else b)
    return out[..., 0] if vector else out


def solve_triangular(a, b, lower=False):
    a = _float(a)
    b = tf.cast(_float(b), a.dtype)
    vector = b.shape.rank == a.shape.rank - 1
    out = tf.linalg.triangular_solve(a, b[..., None] if vector else b, lower=lower)
    return out[..., 0] if vector else out


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if not compute_uv:
        return tf.linalg.svd(x, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices)
    return u, s, _t(v)


def pinv(a, rcond=None):
    a = _float(a)
    if rcond is None:
        eps = 1.1920929e-07 if a.dtype == tf.float32 else 2.220446049250313e-16
        rcond = 10.0 * max(a.shape[-1], a.shape[-2]) * eps
    s, u, v = tf.linalg.svd(a, full_matrices=False)
    cutoff = tf.cast(rcond, s.dtype) * tf.reduce_max(s, axis=-1, keepdims=True)
    s_inv = tf.where(s > cutoff, 1.0 / tf.where(s > cutoff, s, tf.ones_like(s)), tf.zeros_like(s))
    return tf.matmul(v * s_inv[..., None, :], u, adjoint_b=True)


def jvp(fun, primals, tangents, has_aux=False):
    primals = [tf.convert_to_tensor(p) for p in primals]
    with tf.autodiff.ForwardAccumulator(primals, list(tangents)) as acc:
        out = fun(*primals)
        value, aux = out if has_aux else (out, None)
    tangent_out = tf.nest.map_structure(
        lambda v: acc.jvp(v, unconnected_gradients=tf.UnconnectedGradients.ZERO), value)
    return (value, tangent_out, aux) if has_aux else (value, tangent_out)
