"""ReversibleEmbedding against Keras 3 (oracle) with the same weights, and NumPy."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(13)
IDS = RNG.integers(0, 11, size=(2, 5))
HIDDEN = RNG.normal(size=(2, 5, 4)).astype(np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


@pytest.mark.parametrize("kwargs", [{}, dict(tie_weights=False), dict(logit_soft_cap=2.0),
                                    dict(tie_weights=False, mask_zero=True, logit_soft_cap=0.5)])
def test_matches_keras_forward_and_reverse(kwargs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    ours = layers.ReversibleEmbedding(11, 4, **kwargs)
    ours.build((2, 5))
    theirs = keras.layers.ReversibleEmbedding(11, 4, **kwargs)
    theirs.build((2, 5))
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(num(ours(IDS)), np.asarray(oracle(theirs, IDS)), rtol=1e-6)
    np.testing.assert_allclose(num(ours(HIDDEN, reverse=True)),
                               np.asarray(oracle(theirs, HIDDEN, reverse=True)),
                               rtol=1e-5, atol=1e-6)
    weights = ours.get_weights()
    kernel = weights[0].T if len(weights) == 1 else weights[1]
    logits = HIDDEN @ kernel
    if kwargs.get("logit_soft_cap"):
        logits = np.tanh(logits / kwargs["logit_soft_cap"]) * kwargs["logit_soft_cap"]
    np.testing.assert_allclose(num(ours(HIDDEN, reverse=True)), logits, rtol=1e-5, atol=1e-6)


def test_tied_language_model_trains_and_round_trips():
    ids = keraslite.Input((5,), dtype="int32")
    embed = layers.ReversibleEmbedding(11, 4)
    logits = embed(layers.Dense(4)(embed(ids)), reverse=True)
    model = keraslite.Model(ids, logits)
    assert tuple(logits.shape) == (None, 5, 11)
    assert len(model.trainable_weights) == 3  # embeddings (shared), dense kernel and bias
    model.compile(optimizer="adam", loss=keraslite.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    history = model.fit(IDS, IDS, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    again = layers.ReversibleEmbedding.from_config(embed.get_config())
    assert again.tie_weights and again.input_dim == 11


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="logit_soft_cap"):
        layers.ReversibleEmbedding(5, 3, logit_soft_cap=-1.0)
    layer = layers.ReversibleEmbedding(5, 3)
    layer(np.array([[1, 2]]))
    with pytest.raises(ValueError, match="size 3"):
        layer(np.zeros((2, 4), np.float32), reverse=True)
