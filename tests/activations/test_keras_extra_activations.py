"""The activations Keras 3 added (celu, glu, shrinks, sparsemax, ...) against Keras 3 itself."""
import os

import numpy as np
import pytest

from keraslite import activations, backend

X = np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 12)

CASES = {
    "celu": {"alpha": 0.7},
    "glu": {"axis": -1},
    "hard_shrink": {"threshold": 0.8},
    "hard_tanh": {},
    "log_sigmoid": {},
    "soft_shrink": {"threshold": 0.3},
    "sparse_plus": {},
    "sparse_sigmoid": {},
    "sparsemax": {"axis": -1},
    "squareplus": {"b": 2},
    "tanh_shrink": {},
    "threshold": {"threshold": 0.5, "default_value": -1.0},
}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _sparsemax_reference(x):
    """Projection of each row onto the probability simplex (Martins & Astudillo, 2016), in
    float64 by a plain loop over the support size."""
    out = np.zeros_like(x, dtype=np.float64)
    for i, row in enumerate(x.astype(np.float64)):
        z = np.sort(row)[::-1]
        k = max(j for j in range(1, len(z) + 1) if 1 + j * z[j - 1] > z[:j].sum())
        out[i] = np.maximum(row - (z[:k].sum() - 1) / k, 0)
    return out


def test_sparsemax_is_the_simplex_projection():
    # Keras 3.15's sparsemax is not an oracle here: it sums the cumulative sums over the support
    # instead of taking the one at its end, so its rows do not sum to 1.
    x = np.concatenate([X, 5 * np.sin(np.arange(24, dtype=np.float32)).reshape(2, 12)])
    ours = backend.convert_to_numpy(activations.sparsemax(x))
    np.testing.assert_allclose(ours, _sparsemax_reference(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.sum(-1), 1.0, rtol=1e-5)
    ours_axis0 = backend.convert_to_numpy(activations.sparsemax(x.T, axis=0))
    np.testing.assert_allclose(ours_axis0, ours.T, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(set(CASES) - {"sparsemax"}))
def test_matches_keras(keras, name):
    kwargs = CASES[name]
    ours = backend.convert_to_numpy(getattr(activations, name)(X, **kwargs))
    theirs = keras.ops.convert_to_numpy(getattr(keras.activations, name)(X, **kwargs))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_get_and_serialize_by_name(keras, name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    theirs = keras.activations.serialize(getattr(keras.activations, name))
    assert activations.serialize(fn) == theirs


def test_threshold_requires_its_arguments():
    with pytest.raises(TypeError):
        activations.threshold(X)
