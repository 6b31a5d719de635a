"""``keraslite.ops.linalg`` against NumPy's ``linalg`` (run once per backend), plus gradients
against closed forms and bad-input errors."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from keraslite import ops
from keraslite.backends import core as bcore
from keraslite.backends import linalg as bla

rng = np.random.default_rng(3)
SQ = rng.normal(size=(4, 4)).astype("float32") + 4 * np.eye(4, dtype="float32")
SPD = (SQ @ SQ.T + np.eye(4)).astype("float32")
BATCH = np.stack([SPD, SPD * 2 + np.eye(4, dtype="float32")])
RECT = rng.normal(size=(5, 3)).astype("float32")
RHS = rng.normal(size=(4, 2)).astype("float32")
VEC = rng.normal(size=(4,)).astype("float32")
INT_SQ = np.array([[2, 1], [1, 3]], dtype="int32")


def np_(x):
    if isinstance(x, (list, tuple)):
        return type(x)(np_(v) for v in x)
    return bcore.convert_to_numpy(x)


def close(a, b, atol=1e-4, rtol=1e-4):
    np.testing.assert_allclose(np.asarray(np_(a), "complex128" if np.iscomplexobj(np_(a))
                                          else "float64"), b, atol=atol, rtol=rtol)


@pytest.mark.parametrize("x", [SPD, BATCH], ids=["matrix", "batch"])
def test_cholesky_det_inv_slogdet(x):
    close(ops.cholesky(x), np.linalg.cholesky(x))
    close(ops.cholesky(x, upper=True), np.swapaxes(np.linalg.cholesky(x), -1, -2))
    close(ops.det(x), np.linalg.det(x), rtol=1e-4)
    close(ops.inv(x), np.linalg.inv(x))
    sign, logabs = ops.slogdet(x)
    ref_sign, ref_log = np.linalg.slogdet(x)
    close(sign, ref_sign)
    close(logabs, ref_log)
    close(ops.logdet(x), np.log(np.linalg.det(x)))
    close(ops.cholesky_inverse(np.linalg.cholesky(x).astype("float32")), np.linalg.inv(x))
    upper = np.swapaxes(np.linalg.cholesky(x), -1, -2).astype("float32")
    close(ops.cholesky_inverse(upper, upper=True), np.linalg.inv(x))


def test_integer_input_computes_in_float():
    out = ops.det(INT_SQ)
    assert str(np_(out).dtype) == "float32"
    close(out, 5.0)


def test_eigh_and_eig():
    w, v = ops.eigh(SPD)
    ref_w = np.linalg.eigvalsh(SPD)
    close(w, ref_w)
    # eigenvectors are defined up to sign: check the defining identity instead
    close(SPD @ np_(v), np_(v) * np_(w)[None, :], atol=1e-3)
    sym = np.array([[2.0, 1.0], [0.0, 3.0]], "float32")
    w, v = ops.eig(sym)
    assert np.sort(np.real(np_(w))).tolist() == pytest.approx([2.0, 3.0], abs=1e-5)
    close(sym @ np_(v), np_(v) * np_(w)[None, :], atol=1e-5)


def test_solve_family():
    close(ops.solve(SQ, RHS), np.linalg.solve(SQ, RHS))
    close(ops.solve(SQ, VEC), np.linalg.solve(SQ, VEC))
    low = np.tril(SQ)
    close(ops.solve_triangular(low, RHS, lower=True), np.linalg.solve(low, RHS))
    up = np.triu(SQ)
    close(ops.solve_triangular(up, VEC), np.linalg.solve(up, VEC))
    b = rng.normal(size=(5, 2)).astype("float32")
    close(ops.lstsq(RECT, b), np.linalg.lstsq(RECT, b, rcond=None)[0])
    close(ops.lstsq(RECT, b[:, 0]), np.linalg.lstsq(RECT, b[:, 0], rcond=None)[0])


def test_lu_factor_matches_lapack_pivots():
    # a matrix whose partial pivoting swaps rows more than once
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]], "float32")
    lu, piv = ops.lu_factor(x)
    # reference: Doolittle elimination with partial pivoting (LAPACK getrf's row swaps)
    a = x.astype("float64").copy()
    ref_piv = []
    for k in range(3):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        ref_piv.append(p)
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    close(lu, a, atol=1e-5)
    assert np_(piv).tolist() == ref_piv


def test_qr_svd_pinv_rank():
    q, r = ops.qr(RECT)
    assert np_(q).shape == (5, 3) and np_(r).shape == (3, 3)
    close(np_(q) @ np_(r), RECT)
    close(np.triu(np_(r)), np_(r))
    q, r = ops.qr(RECT, mode="complete")
    assert np_(q).shape == (5, 5) and np_(r).shape == (5, 3)
    close(np_(q) @ np_(r), RECT)
    u, s, vh = ops.svd(RECT)
    assert np_(u).shape == (5, 5) and np_(vh).shape == (3, 3)
    close(s, np.linalg.svd(RECT, compute_uv=False))
    u, s, vh = ops.svd(RECT, full_matrices=False)
    close(np_(u) * np_(s) @ np_(vh), RECT)
    close(ops.svd(RECT, compute_uv=False), np.linalg.svd(RECT, compute_uv=False))
    close(ops.pinv(RECT), np.linalg.pinv(RECT))
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], "float32")
    assert int(np_(ops.matrix_rank(singular))) == np.linalg.matrix_rank(singular) == 1
    assert int(np_(ops.matrix_rank(SQ))) == 4


@pytest.mark.parametrize("ord,axis", [
    (None, None), (None, 1), (1, 1), (3, 0), (0, 1), (np.inf, 1), (-np.inf, 0), (-1, 1),
    ("fro", (0, 1)), ("nuc", (0, 1)), (2, (0, 1)), (-2, (0, 1)), (1, (0, 1)), (-1, (1, 0)),
    (np.inf, (0, 1)), (-np.inf, (0, 1)), (2, None),
])
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm_matches_numpy(ord, axis, keepdims):
    close(ops.norm(RECT, ord=ord, axis=axis, keepdims=keepdims),
          np.linalg.norm(RECT, ord=ord, axis=axis, keepdims=keepdims))


def test_norm_of_3d_and_int():
    t = rng.normal(size=(2, 3, 4)).astype("float32")
    close(ops.norm(t), np.linalg.norm(t))
    close(ops.norm(t, axis=(1, 2), ord="nuc"), np.linalg.norm(t, axis=(1, 2), ord="nuc"))
    close(ops.norm(t, axis=-1, ord=1), np.linalg.norm(t, axis=-1, ord=1))
    assert str(np_(ops.norm(INT_SQ)).dtype) == "float32"


def test_gradients_match_closed_forms():
    # d det(A)/dA = det(A) inv(A)^T ; d sum(inv(A) b)/db = sum over rows of inv(A)
    value, grads = bcore.value_and_grad(lambda p: ops.det(p["a"]))(
        {"a": bcore.convert_to_tensor(SQ)})
    close(grads["a"], np.linalg.det(SQ) * np.linalg.inv(SQ).T, rtol=1e-3, atol=1e-2)
    value, grads = bcore.value_and_grad(lambda p: ops.sum(ops.solve(SQ, p["b"])))(
        {"b": bcore.convert_to_tensor(VEC)})
    close(grads["b"], np.linalg.inv(SQ).sum(0))
    value, grads = bcore.value_and_grad(lambda p: ops.sum(ops.cholesky(p["a"])))(
        {"a": bcore.convert_to_tensor(SPD)})
    eps, i, j = 1e-2, 1, 2
    plus, minus = SPD.astype("float64").copy(), SPD.astype("float64").copy()
    plus[i, j] += eps
    plus[j, i] += eps
    minus[i, j] -= eps
    minus[j, i] -= eps
    numeric = (np.linalg.cholesky(plus).sum() - np.linalg.cholesky(minus).sum()) / (2 * eps)
    g = np_(grads["a"])
    close(g[i, j] + g[j, i], numeric, rtol=2e-2, atol=1e-3)


def test_jvp_matches_closed_form():
    x = np.array([1.0, 2.0, 3.0], "float32")
    t = np.array([1.0, 0.0, 2.0], "float32")
    value, tangent = ops.jvp(lambda a: ops.sum(ops.square(a)), (bcore.convert_to_tensor(x),),
                             (bcore.convert_to_tensor(t),))
    close(value, 14.0)
    close(tangent, 2 * (x * t).sum())
    value, tangent, aux = ops.linalg.jvp(lambda a: (ops.sin(a), 5), (bcore.convert_to_tensor(x),),
                                         (bcore.convert_to_tensor(t),), has_aux=True)
    close(tangent, np.cos(x) * t)
    assert aux == 5


@pytest.mark.parametrize("call,words", [
    (lambda: ops.inv(RECT), ["`x`", "square", "(5, 3)"]),
    (lambda: ops.det(VEC), ["`x`", "square", "(4,)"]),
    (lambda: ops.solve(SQ, np.ones((3,), "float32")), ["`b`", "(3,)"]),
    (lambda: ops.lstsq(RECT, np.ones((4,), "float32")), ["`b`", "(4,)"]),
    (lambda: ops.qr(RECT, mode="r"), ["`mode`", "'r'"]),
    (lambda: ops.norm(RECT, ord="nuc", axis=0), ["`ord`", "'nuc'"]),
    (lambda: ops.norm(RECT, ord=3, axis=(0, 1)), ["`ord`", "3"]),
    (lambda: ops.svd(VEC), ["`x`", "(4,)"]),
])
def test_bad_input_names_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for w in words:
        assert w in str(info.value)


def test_symbolic_shapes_and_namespace():
    from keraslite.ops.keras_tensor import KerasTensor

    out = ops.linalg.inv(KerasTensor((None, 3, 3)))
    assert tuple(out.shape) == (None, 3, 3)
    u, s, vh = ops.svd(KerasTensor((2, 5, 3)), full_matrices=False)
    assert tuple(s.shape) == (2, 3) and tuple(u.shape) == (2, 5, 3)
    for name in ops.linalg.__all__:
        assert getattr(ops, name) is getattr(ops.linalg, name)


def test_every_backend_linalg_function_is_covered():
    tested = set(inspect.getsource(inspect.getmodule(test_every_backend_linalg_function_is_covered))
                 .split("ops.")[1:])
    names = {n for n, f in vars(bla).items() if inspect.isfunction(f) and not n.startswith("_")
             and f.__module__ == bla.__name__}
    missing = [n for n in names if not any(t.startswith(n + "(") for t in tested)]
    assert not missing, missing
