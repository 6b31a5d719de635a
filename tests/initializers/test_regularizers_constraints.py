"""Regularizers and constraints (small packages tested with the initializers)."""
import numpy as np
import pytest

from keraslite import backend, constraints, regularizers

W = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], np.float32)


def num(x):
    return backend.convert_to_numpy(x)


def test_regularizers_values_and_config():
    assert float(num(regularizers.L1(0.1)(W))) == pytest.approx(0.1 * np.abs(W).sum(), rel=1e-6)
    assert float(num(regularizers.L2(0.2)(W))) == pytest.approx(0.2 * (W ** 2).sum(), rel=1e-6)
    both = regularizers.L1L2(l1=0.1, l2=0.2)
    assert float(num(both(W))) == pytest.approx(0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum(), rel=1e-6)
    assert isinstance(regularizers.get("l2"), regularizers.L2) and regularizers.get("l2").l2 == 0.01
    again = regularizers.get(regularizers.serialize(both))
    assert isinstance(again, regularizers.L1L2) and again.get_config() == {"l1": 0.1, "l2": 0.2}
    fn = lambda w: 0.0
    assert regularizers.get(fn) is fn
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L1(-1)


def test_constraints_values_and_config():
    norms = np.sqrt((W ** 2).sum(0, keepdims=True))
    np.testing.assert_allclose(num(constraints.NonNeg()(W)), np.maximum(W, 0))
    np.testing.assert_allclose(num(constraints.UnitNorm()(W)), W / (1e-7 + norms), rtol=1e-6)
    np.testing.assert_allclose(num(constraints.MaxNorm(2.0)(W)), W * np.clip(norms, 0, 2) / (1e-7 + norms), rtol=1e-6)
    mm = constraints.MinMaxNorm(min_value=2.5, max_value=3.0, rate=0.5, axis=0)
    desired = 0.5 * np.clip(norms, 2.5, 3.0) + 0.5 * norms
    np.testing.assert_allclose(num(mm(W)), W * desired / (1e-7 + norms), rtol=1e-6)
    again = constraints.get(constraints.serialize(mm))
    assert again.get_config() == mm.get_config()
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    with pytest.raises(ValueError, match="Unknown constraint"):
        constraints.get("positive")


def _orthogonal_reference(w, factor):
    unit = w / np.linalg.norm(w, axis=1, keepdims=True)
    product = unit @ unit.T
    n = product.shape[0]
    return factor * 0.5 * np.abs(product * (1 - np.eye(n))).sum() / (n * (n - 1) / 2)


def test_orthogonal_regularizer_rows_and_columns():
    from keraslite import regularizers

    w = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    rows = regularizers.get({"class_name": "OrthogonalRegularizer",
                             "config": {"factor": 0.1, "mode": "rows"}})
    np.testing.assert_allclose(float(rows(w)), _orthogonal_reference(w, 0.1), rtol=1e-5)
    cols = regularizers.OrthogonalRegularizer(0.1, mode="columns")
    np.testing.assert_allclose(float(cols(w)), _orthogonal_reference(w.T, 0.1), rtol=1e-5)
    # An orthogonal matrix costs nothing.
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(4, 4)))
    assert abs(float(rows(q.astype("float32")))) < 1e-6
    with pytest.raises(ValueError, match="2-D"):
        rows(np.ones((2, 2, 2), "float32"))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


def test_orthogonal_regularizer_rows_matches_keras():
    import os

    import keraslite

    if keraslite.backend.backend() != "jax":
        pytest.skip("the Keras oracle runs in the jax pass (Keras cannot be imported next to "
                    "keraslite's TF backend); the NumPy check above runs on both")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    from keraslite import regularizers

    w = np.random.default_rng(2).normal(size=(6, 4)).astype("float32")
    expected = float(keras.regularizers.OrthogonalRegularizer(0.05, "rows")(w))
    np.testing.assert_allclose(float(regularizers.OrthogonalRegularizer(0.05)(w)), expected,
                               rtol=1e-5)
