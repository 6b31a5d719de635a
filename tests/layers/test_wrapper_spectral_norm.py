"""Wrapper, SpectralNormalization and layers.serialize/deserialize: Keras 3 as the oracle for
SpectralNormalization's outputs, updated weights and weight order, the largest singular value
(NumPy's SVD) as the closed form, and Keras reading what keraslite writes (and back)."""
import copy
import os

import numpy as np
import pytest

import keraslite as kl
from keraslite import layers
from oracle_guard import oracle

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")


def _np(x):
    return kl.ops.convert_to_numpy(x)


def _pair(make_ours, make_theirs, x, power_iterations):
    ours = layers.SpectralNormalization(make_ours(), power_iterations=power_iterations)
    theirs = keras.layers.SpectralNormalization(make_theirs(), power_iterations=power_iterations)
    ours(x)
    oracle(theirs, x)
    return ours, theirs


CASES = [
    ("conv2d", lambda m: m.layers.Conv2D(3, 2), np.float32, (2, 5, 5, 2), 2),
    ("dense", lambda m: m.layers.Dense(4), np.float32, (3, 6), 1),
    ("embedding", lambda m: m.layers.Embedding(7, 3), np.int32, (2, 4), 3),
]


@pytest.mark.parametrize("name,make,dtype,shape,iterations", CASES, ids=[c[0] for c in CASES])
def test_matches_keras(name, make, dtype, shape, iterations):
    rng = np.random.default_rng(1)
    x = (rng.integers(0, 7, shape) if dtype is np.int32 else rng.normal(size=shape)).astype(dtype)
    ours, theirs = _pair(lambda: make(kl), lambda: make(keras), x, iterations)
    # Keras tracks the wrapped kernel as the wrapper's own weight, before vector_u.
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    for training in (True, True, False):  # two updates of u and the kernel, then inference
        expected = np.asarray(oracle(theirs, x, training=training))
        np.testing.assert_allclose(_np(ours(x, training=training)), expected, atol=1e-5)
        for mine, keras_value in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(mine, keras_value, atol=1e-5)


def test_training_call_divides_by_the_largest_singular_value():
    x = np.random.default_rng(2).normal(size=(4, 5)).astype("float32")
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=60)
    layer(x)
    before = layer.get_weights()[0]
    layer(x, training=True)
    after = layer.get_weights()[0]
    sigma = np.linalg.svd(before, compute_uv=False)[0]
    np.testing.assert_allclose(after, before / sigma, rtol=1e-4, atol=1e-6)
    assert np.linalg.svd(after, compute_uv=False)[0] == pytest.approx(1.0, abs=1e-4)


def test_fit_trains_and_the_model_round_trips_through_keras_files(tmp_path):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(32, 6, 6, 2)).astype("float32"), rng.normal(size=(32, 1))
    model = kl.Sequential([kl.Input((6, 6, 2)),
                           layers.SpectralNormalization(layers.Conv2D(4, 3)),
                           layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    path = str(tmp_path / "sn.keras")
    model.save(path)
    theirs = oracle(keras.models.load_model, path)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               _np(model.predict(x, verbose=0)), atol=1e-5)
    back = str(tmp_path / "back.keras")
    theirs.save(back)
    np.testing.assert_allclose(_np(kl.models.load_model(back).predict(x, verbose=0)),
                               _np(model.predict(x, verbose=0)), atol=1e-5)


def test_serialize_and_deserialize_speak_keras_form():
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=2, name="sn")
    layer(np.ones((2, 4), "float32"))
    config = layers.serialize(layer)
    assert config["module"] == "keras.layers" and config["class_name"] == "SpectralNormalization"
    theirs = keras.layers.deserialize(copy.deepcopy(config))  # Keras pops entries from it
    assert (type(theirs).__name__, theirs.power_iterations, theirs.layer.units) == (
        "SpectralNormalization", 2, 3)
    again = layers.deserialize(keras.layers.serialize(theirs))
    assert isinstance(again, layers.SpectralNormalization) and again.layer.units == 3
    mine = layers.deserialize(config)
    assert mine.built and mine.name == "sn" and mine.power_iterations == 2


def test_wrapper_subclass_and_time_distributed():
    class Twice(layers.Wrapper):
        def call(self, x):
            return self.layer(self.layer(x))

    inner = layers.Dense(4, use_bias=False)
    twice = Twice(inner)
    x = np.random.default_rng(4).normal(size=(2, 4)).astype("float32")
    y = _np(twice(x))
    kernel = inner.get_weights()[0]
    np.testing.assert_allclose(y, x @ kernel @ kernel, rtol=1e-5, atol=1e-6)
    assert isinstance(layers.TimeDistributed(layers.Dense(2)), layers.Wrapper)
    copy = Twice.from_config(twice.get_config())
    assert copy.layer.units == 4 and copy.layer is not inner


@pytest.mark.parametrize("make,match", [
    (lambda: layers.SpectralNormalization(layers.Dense(2), power_iterations=0),
     "power_iterations"),
    (lambda: layers.SpectralNormalization("dense"), "layer"),
    (lambda: layers.SpectralNormalization(layers.LayerNormalization())(np.ones((2, 3))),
     "kernel"),
    (lambda: layers.serialize("dense"), "layer"),
    (lambda: layers.deserialize([1]), "config"),
    (lambda: layers.deserialize({"module": "os", "class_name": "system", "config": {}}),
     "system"),
])
def test_bad_input_is_named(make, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make()
