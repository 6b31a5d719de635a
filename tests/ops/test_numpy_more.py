"""The elementwise and array-manipulation ops added over the backends' basic ones, against
NumPy (run once per backend)."""
from __future__ import annotations

import numpy as np
import pytest

from keraslite import ops

rng = np.random.default_rng(11)
A = rng.normal(size=(3, 4)).astype("float32")
B = rng.normal(size=(3, 4)).astype("float32")
T3 = rng.normal(size=(2, 3, 4)).astype("float32")
V = rng.normal(size=(5,)).astype("float32")
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 2.0, -3.0], "float32")
NAN_A = np.where(A > 0.5, np.nan, A).astype("float32")
NAN_B = np.where(B > 0.5, np.nan, B).astype("float32")
INT = np.array([[3, -2, 0, 7], [1, 1, -5, 2], [0, 4, 6, -1]], "int32")

CASES = [
    ("cbrt", (A,), np.cbrt), ("cbrt", (INT,), lambda x: np.cbrt(x).astype("float32")),
    ("deg2rad", (A * 90,), np.deg2rad), ("rad2deg", (A,), np.rad2deg), ("fabs", (A,), np.fabs),
    ("hypot", (A, B), np.hypot), ("fmax", (NAN_A, NAN_B), np.fmax),
    ("fmin", (NAN_A, NAN_B), np.fmin), ("heaviside", (np.round(A), 0.5), np.heaviside),
    ("logaddexp", (A * 50, B * 50), np.logaddexp), ("logaddexp2", (A * 50, B), np.logaddexp2),
    ("sinc", (np.concatenate([V, [0.0]]).astype("float32"),), np.sinc),
    ("signbit", (SPECIAL,), np.signbit), ("isneginf", (SPECIAL,), np.isneginf),
    ("isposinf", (SPECIAL,), np.isposinf),
    ("divide_no_nan", (A, np.where(B > 0, B, 0).astype("float32")),
     lambda a, b: np.where(b == 0, 0, a / np.where(b == 0, 1, b))),
    ("isclose", (A, A + 1e-6 * (B > 0)), np.isclose),
    ("isclose", (NAN_A, NAN_A, 1e-5, 1e-8, True), np.isclose),
    ("allclose", (A, A + 1e-6), np.allclose), ("allclose", (A, B), np.allclose),
    ("ptp", (T3,), np.ptp), ("ptp", (T3, 1, True), lambda x, a, k: np.ptp(x, a, keepdims=k)),
    ("fliplr", (A,), np.fliplr), ("flipud", (T3,), np.flipud),
    ("rot90", (T3,), np.rot90), ("rot90", (T3, 2), np.rot90), ("rot90", (T3, 3, (1, 2)), np.rot90),
    ("rot90", (T3, -1, (2, 0)), np.rot90),
    ("dstack", ([A, B],), np.dstack), ("dstack", ([V, V],), np.dstack),
    ("array_split", (V, 3), lambda x, n: np.array_split(x, n)),
    ("array_split", (T3, [1, 3], 2), lambda x, i, a: np.array_split(x, i, a)),
    ("hsplit", (A, 2), np.hsplit), ("vsplit", (A, [1]), np.vsplit), ("dsplit", (T3, 2), np.dsplit),
    ("append", (A, B), np.append), ("append", (A, B, 0), np.append),
    ("diagflat", (A[:2, :2], 1), np.diagflat), ("tri", (3, 4, 1), lambda n, m, k: np.tri(n, m, k)),
    ("inner", (A, B), np.inner), ("inner", (T3, A), np.inner), ("vdot", (A, B), np.vdot),
    ("copy", (A,), np.copy), ("empty_like", (A,), np.zeros_like),
    ("meshgrid", (V, A[0]), lambda *x: np.meshgrid(*x)),
    ("meshgrid", (V, A[0], B[1]), lambda *x: np.meshgrid(*x, indexing="ij"), {"indexing": "ij"}),
    ("meshgrid", (V, A[0], B[1]), lambda *x: np.meshgrid(*x)),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
def test_matches_numpy(case):
    name, args, ref = case[:3]
    kwargs = case[3] if len(case) > 3 else {}
    out = getattr(ops, name)(*args, **kwargs)
    expected = ref(*args)
    if isinstance(expected, (list, tuple)):
        assert len(out) == len(expected)
        pairs = list(zip(out, expected))
    else:
        pairs = [(out, expected)]
    for o, e in pairs:
        o = np.asarray(ops.convert_to_numpy(o))
        e = np.asarray(e)
        assert o.shape == e.shape, (o.shape, e.shape)
        if e.dtype == bool:
            np.testing.assert_array_equal(o, e)
        else:
            np.testing.assert_allclose(o.astype("float64"), e.astype("float64"), rtol=2e-5,
                                       atol=2e-5)


def test_shape_ops_and_namespaces():
    assert tuple(ops.empty((2, 3)).shape) == (2, 3)
    assert str(ops.convert_to_numpy(ops.tri(3, dtype="int32")).dtype) == "int32"
    for name in ("meshgrid", "cbrt", "rot90", "slogdet", "isclose"):
        assert getattr(ops.numpy, name) is getattr(ops, name)


@pytest.mark.parametrize("call,words", [
    (lambda: ops.fliplr(V), ["`x`", "(5,)"]),
    (lambda: ops.rot90(A, 1, (0, 0)), ["`axes`", "(0, 0)"]),
    (lambda: ops.meshgrid(V, indexing="xx"), ["`indexing`", "'xx'"]),
    (lambda: ops.array_split(V, 0), ["`indices_or_sections`"]),
])
def test_bad_input_names_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for w in words:
        assert w in str(info.value)
