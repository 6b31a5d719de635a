"""RMSNormalization and the lower-case merge functions against Keras 3 (oracle) and NumPy."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(4)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


# Keras 3.15 cannot broadcast its scale over a single non-last axis (it raises), so that case
# is checked against NumPy only.
@pytest.mark.parametrize("axis,epsilon,with_keras", [(-1, 1e-6, True), ([1, 2], 1e-3, True),
                                                     (1, 0.5, False)])
def test_rms_normalization_matches_keras_and_numpy(axis, epsilon, with_keras):
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    ours = layers.RMSNormalization(axis=axis, epsilon=epsilon)
    ours.build(x.shape)
    scale = RNG.uniform(0.5, 1.5, ours.scale.shape).astype(np.float32)
    ours.set_weights([scale])
    got = num(ours(x))
    if with_keras:
        theirs = _keras().layers.RMSNormalization(axis=axis, epsilon=epsilon)
        theirs.build(x.shape)
        theirs.set_weights([scale])
        np.testing.assert_allclose(got, np.asarray(oracle(theirs, x)), rtol=1e-5, atol=1e-6)
    axes = tuple(a % 3 for a in ([axis] if isinstance(axis, int) else axis))
    shape = [1, 1, 1]
    for a, size in zip(sorted(axes), scale.shape):
        shape[a] = size
    expected = x / np.sqrt((x ** 2).mean(axis=axes, keepdims=True) + epsilon) * scale.reshape(shape)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    again = layers.RMSNormalization.from_config(ours.get_config())
    assert again.axis == ours.axis and again.epsilon == ours.epsilon


def test_rms_normalization_trains_in_a_model_and_keeps_half_precision():
    x = RNG.normal(size=(16, 6)).astype(np.float32)
    y = RNG.normal(size=(16, 1)).astype(np.float32)
    model = keraslite.Sequential([keraslite.Input((6,)), layers.RMSNormalization(),
                                  layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.layers[0].get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(model.layers[0].get_weights()[0], before)
    half = layers.RMSNormalization(dtype="float16")(x.astype(np.float16))
    assert backend.standardize_dtype(half.dtype) == "float16"


def test_rms_normalization_bad_arguments():
    with pytest.raises(ValueError, match="epsilon"):
        layers.RMSNormalization(epsilon=-1.0)
    with pytest.raises((ValueError, TypeError), match="axis"):
        layers.RMSNormalization(axis="last")
    with pytest.raises(ValueError, match="axis"):
        layers.RMSNormalization(axis=3)(np.zeros((2, 3), np.float32))


FUNCTIONS = [("add", {}), ("subtract", {}), ("multiply", {}), ("average", {}), ("maximum", {}),
             ("minimum", {}), ("concatenate", dict(axis=1)), ("dot", dict(axes=1)),
             ("dot", dict(axes=1, normalize=True))]


@pytest.mark.parametrize("name,kwargs", FUNCTIONS)
def test_merge_functions_match_keras_eagerly_and_symbolically(name, kwargs):
    keras = _keras()
    a, b = (RNG.normal(size=(3, 5)).astype(np.float32) for _ in range(2))
    expected = np.asarray(oracle(getattr(keras.layers, name), [a, b], **kwargs))
    fn = getattr(layers, name)
    np.testing.assert_allclose(num(fn([a, b], **kwargs)), expected, rtol=1e-5, atol=1e-6)
    ia, ib = keraslite.Input((5,)), keraslite.Input((5,))
    model = keraslite.Model([ia, ib], fn([ia, ib], **kwargs))
    np.testing.assert_allclose(model.predict([a, b], verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_merge_function_passes_layer_arguments():
    ia, ib = keraslite.Input((2,)), keraslite.Input((2,))
    out = layers.add([ia, ib], name="my_sum")
    model = keraslite.Model([ia, ib], out)
    assert model.layers[-1].name == "my_sum"
