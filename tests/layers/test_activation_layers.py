"""ReLU, LeakyReLU, PReLU, ELU and Softmax: the layer contract, NumPy references and Keras 3 as
an oracle (PReLU weights, Softmax with a mask)."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from layer_test_helper import run_layer_test


def _np(x):
    return backend.convert_to_numpy(x)


@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


X = np.linspace(-4.0, 8.0, 25, dtype="float32").reshape(5, 5)


CASES = [
    (layers.ReLU, {}, (2, 5), 0),
    (layers.ReLU, {"max_value": 2.0, "negative_slope": 0.1, "threshold": 0.5}, (2, 3, 4), 0),
    (layers.LeakyReLU, {"negative_slope": 0.2}, (2, 5), 0),
    (layers.ELU, {"alpha": 0.7}, (3, 4), 0),
    (layers.Softmax, {}, (2, 6), 0),
    (layers.Softmax, {"axis": (1, 2)}, (2, 3, 4), 0),
    (layers.PReLU, {}, (2, 3, 4), 1),
    (layers.PReLU, {"shared_axes": [1, 2], "alpha_initializer": "ones"}, (2, 4, 4, 3), 1),
]


@pytest.mark.parametrize("cls,kwargs,shape,n_train", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_contract(cls, kwargs, shape, n_train):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=n_train)


def _relu_ref(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return np.minimum(out, max_value) if max_value is not None else out


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 6.0}, {"negative_slope": 0.1}, {"threshold": 1.5},
    {"max_value": 3.0, "negative_slope": 0.25, "threshold": 0.5},
])
def test_relu_matches_numpy(kwargs):
    x = X + 0.01  # keep values off the threshold, where the two conventions agree anyway
    np.testing.assert_allclose(_np(layers.ReLU(**kwargs)(x)), _relu_ref(x, **kwargs), atol=1e-6)


def test_leaky_relu_and_elu_match_numpy():
    np.testing.assert_allclose(_np(layers.LeakyReLU()(X)), np.where(X > 0, X, 0.3 * X),
                               atol=1e-6)
    np.testing.assert_allclose(_np(layers.LeakyReLU(alpha=0.05)(X)), np.where(X > 0, X, 0.05 * X),
                               atol=1e-6)
    np.testing.assert_allclose(_np(layers.ELU(alpha=0.5)(X)),
                               np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), atol=1e-6)


def test_softmax_matches_numpy_on_one_and_several_axes():
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype("float32")
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(_np(layers.Softmax()(x)), e / e.sum(-1, keepdims=True), atol=1e-6)
    e = np.exp(x - x.max(axis=(1, 2), keepdims=True))
    np.testing.assert_allclose(_np(layers.Softmax(axis=(1, 2))(x)),
                               e / e.sum(axis=(1, 2), keepdims=True), atol=1e-6)
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(_np(layers.Softmax(axis=1)(x)), e / e.sum(1, keepdims=True),
                               atol=1e-6)


def test_softmax_with_mask_matches_numpy_and_keras(keras):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]], bool)
    got = _np(layers.Softmax()(x, mask=mask))
    e = np.where(mask, np.exp(x - x.max(-1, keepdims=True)), 0.0)
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), atol=1e-6)
    assert np.all(got[~mask] < 1e-6)
    theirs = np.asarray(keras.layers.Softmax()(x, mask=mask))
    np.testing.assert_allclose(got, theirs, atol=1e-6)
    # An attention-style mask broadcast over the query axis.
    scores = rng.standard_normal((2, 3, 4)).astype("float32")
    keys_mask = np.array([[1, 1, 0, 0], [1, 1, 1, 0]], bool)[:, None, :]
    np.testing.assert_allclose(_np(layers.Softmax()(scores, mask=keys_mask)),
                               np.asarray(keras.layers.Softmax()(scores, mask=keys_mask)),
                               atol=1e-6)


def test_softmax_receives_a_propagated_mask():
    idx = np.array([[1, 2, 0], [3, 0, 0]])
    emb = layers.Embedding(4, 1, mask_zero=True)
    model = keraslite.Sequential([keraslite.Input((3,), dtype="int32"), emb,
                                  layers.Lambda(lambda t: t[..., 0], mask=lambda t, m: m),
                                  layers.Softmax()])
    got = model.predict(idx, verbose=0)
    logits = emb.get_weights()[0][idx][..., 0]
    e = np.where(idx != 0, np.exp(logits), 0.0)
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), atol=1e-6)


def test_prelu_matches_numpy_and_keras(keras):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 5, 3)).astype("float32")
    for kwargs in ({}, {"shared_axes": [1, 2]}, {"shared_axes": 3}):
        ours = layers.PReLU(**kwargs)
        theirs = keras.layers.PReLU(**kwargs)
        ours(x)
        theirs(x)
        assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
            [(w.name, tuple(w.shape)) for w in theirs.weights]
        alpha = rng.standard_normal(tuple(ours.weights[0].shape)).astype("float32")
        ours.set_weights([alpha])
        theirs.set_weights([alpha])
        got = _np(ours(x))
        np.testing.assert_allclose(got, np.where(x > 0, x, alpha * x), atol=1e-6)
        np.testing.assert_allclose(got, np.asarray(theirs(x)), atol=1e-6)
    assert layers.PReLU(shared_axes=[1, 2]).get_config()["shared_axes"] == [1, 2]


def test_prelu_learns_its_slope():
    x = np.linspace(-2, 2, 64, dtype="float32").reshape(64, 1)
    y = np.where(x > 0, x, 0.5 * x)
    model = keraslite.Sequential([keraslite.Input((1,)), layers.PReLU()])
    model.compile(optimizer=keraslite.optimizers.SGD(0.5), loss="mse")
    model.fit(x, y, epochs=40, batch_size=64, verbose=0)
    np.testing.assert_allclose(model.layers[-1].get_weights()[0], [0.5], atol=0.05)


@pytest.mark.parametrize("cls,kwargs,arg", [
    (layers.ReLU, {"max_value": -1.0}, "max_value"),
    (layers.ReLU, {"negative_slope": -0.1}, "negative_slope"),
    (layers.ReLU, {"threshold": None}, "threshold"),
    (layers.LeakyReLU, {"negative_slope": -1}, "negative_slope"),
    (layers.ELU, {"alpha": "big"}, "alpha"),
    (layers.Softmax, {"axis": 1.5}, "axis"),
    (layers.PReLU, {"shared_axes": "x"}, "shared_axes"),
])
def test_bad_arguments_raise_value_errors(cls, kwargs, arg):
    with pytest.raises(ValueError, match=f"{cls.__name__}.*{arg}"):
        cls(**kwargs)


def test_exports():
    for name in ("ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"):
        assert getattr(keraslite.layers, name) is getattr(layers, name)
