"""Activity regularizers are applied once, by ``Layer.__call__``, for every layer that sets
``activity_regularizer`` (built-in or user subclass)."""
import numpy as np

import keraslite
from keraslite import backend, layers, regularizers

RNG = np.random.default_rng(3)


def _np(x):
    return np.asarray(backend.convert_to_numpy(x), np.float64)


class Doubler(keraslite.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.L1(0.5)

    def call(self, x):
        return x * 2.0


def test_a_user_layer_with_an_activity_regularizer_gets_the_batch_averaged_penalty():
    x = RNG.normal(size=(5, 3)).astype("float32")
    layer = Doubler()
    out = _np(layer(x))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(_np(layer.losses[0]), 0.5 * np.abs(out).sum() / 5, rtol=1e-5)


def test_layers_without_one_add_no_loss():
    layer = layers.Dense(2)
    layer(RNG.normal(size=(4, 3)).astype("float32"))
    assert layer.losses == []


def test_the_penalty_is_added_once_per_call_inside_a_model():
    inputs = keraslite.Input((3,))
    hidden = layers.Dense(4, activity_regularizer="l2")(inputs)
    model = keraslite.Model(inputs, layers.Embedding(5, 2, activity_regularizer="l1")(
        layers.Lambda(lambda t: keraslite.ops.cast(keraslite.ops.abs(t) * 0, "int32"))(hidden)))
    x = RNG.normal(size=(6, 3)).astype("float32")
    model(x)
    assert len(model.losses) == 2
    dense, embedding = model.layers[1], model.layers[3]
    h = _np(dense(x))
    np.testing.assert_allclose(_np(model.losses[0]), 0.01 * np.square(h).sum() / 6, rtol=1e-5)
    rows = _np(embedding.embeddings.value)[0]
    np.testing.assert_allclose(_np(model.losses[1]), 0.01 * np.abs(rows).sum() * 6 * 4 / 6,
                               rtol=1e-5)


def test_rnn_with_states_regularizes_its_first_output():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    layer = layers.SimpleRNN(3, return_sequences=True, return_state=True,
                             activity_regularizer="l2")
    sequences, _ = layer(x)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(_np(layer.losses[0]), 0.01 * np.square(_np(sequences)).sum() / 2,
                               rtol=1e-5)


def test_an_empty_batch_gives_a_zero_penalty():
    layer = layers.Dense(2, activity_regularizer="l1")
    layer(np.zeros((0, 3), "float32"))
    assert float(_np(layer.losses[0])) == 0.0


class Tripler(keraslite.layers.Layer):
    def call(self, x):
        return x * 3.0


def test_the_base_layer_takes_activity_regularizer_as_keras_does():
    x = RNG.normal(size=(4, 2)).astype("float32")
    layer = Tripler(activity_regularizer="l2")  # Keras's default L2 factor, 0.01
    out = _np(layer(x))
    np.testing.assert_allclose(_np(layer.losses[0]), 0.01 * np.square(out).sum() / 4, rtol=1e-5)
    assert Tripler().activity_regularizer is None
