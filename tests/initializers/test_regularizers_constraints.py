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
