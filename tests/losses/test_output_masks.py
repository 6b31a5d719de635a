"""A model output's mask (Embedding(mask_zero=True) through a sequence model) weights losses and
metrics as in Keras 3: padded time steps count for nothing; the mask rides on eager outputs as
``_keras_mask`` so a layer called later on them receives it. Keras 3 is the oracle."""
import os

import numpy as np
import pytest

import keraslite
from tests.layers.oracle_guard import oracle

VOCAB, STEPS, CLASSES = 12, 7, 4


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _data(seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, STEPS + 1, size=10)
    x = np.zeros((10, STEPS), np.int32)
    for i, n in enumerate(lengths):
        x[i, :n] = rng.integers(1, VOCAB, size=n)
    y = rng.integers(0, CLASSES, size=(10, STEPS)).astype(np.int32)
    return x, y


def _tagger(lib):
    inputs = lib.Input((STEPS,), dtype="int32")
    h = lib.layers.Embedding(VOCAB, 5, mask_zero=True)(inputs)
    h = lib.layers.LSTM(6, return_sequences=True)(h)
    return lib.Model(inputs, lib.layers.Dense(CLASSES, activation="softmax")(h))


def _pair():
    keras = _keras()
    theirs, ours = _tagger(keras), _tagger(keraslite)
    ours.set_weights(theirs.get_weights())
    for model, lib in ((theirs, keras), (ours, keraslite)):
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return theirs, ours


@pytest.mark.parametrize("weighted", [False, True])
def test_masked_loss_and_accuracy_match_keras(weighted):
    x, y = _data()
    # Per-time-step weights (Keras 3 itself fails to broadcast (batch,) weights against a mask).
    w = np.linspace(0.5, 2.0, x.size).reshape(x.shape).astype(np.float32) if weighted else None
    theirs, ours = _pair()
    expected = oracle(theirs.evaluate, x, y, sample_weight=w, verbose=0, return_dict=True)
    got = ours.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-5)
    np.testing.assert_allclose(got["accuracy"], expected["accuracy"], rtol=1e-5)


def test_masked_training_matches_keras():
    x, y = _data(1)
    theirs, ours = _pair()
    expected = oracle(theirs.fit, x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    got = ours.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(got.history["loss"], expected.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_the_mask_travels_on_eager_outputs():
    x, _ = _data(2)
    embedded = keraslite.layers.Embedding(VOCAB, 5, mask_zero=True)(x)
    np.testing.assert_array_equal(np.asarray(embedded._keras_mask), x != 0)
    lstm = keraslite.layers.LSTM(3, return_sequences=True)
    separately = lstm(embedded)
    together = lstm(embedded, mask=x != 0)
    np.testing.assert_allclose(np.asarray(separately), np.asarray(together), rtol=1e-6)
    unmasked = lstm(keraslite.ops.convert_to_tensor(np.asarray(embedded)))
    assert not np.allclose(np.asarray(separately), np.asarray(unmasked))


def test_functional_outputs_describe_their_mask_and_call_sees_it():
    seen = []

    class Probe(keraslite.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            seen.append(mask is not None)
            return inputs

    inputs = keraslite.Input((STEPS,), dtype="int32")
    embedded = keraslite.layers.Embedding(VOCAB, 5, mask_zero=True)(inputs)
    probed = Probe()(keraslite.layers.Dense(2)(embedded))
    assert tuple(probed._keras_mask.shape) == (None, STEPS)
    assert str(probed._keras_mask.dtype) == "bool"
    pooled = keraslite.layers.GlobalAveragePooling1D()(probed)
    assert getattr(pooled, "_keras_mask", None) is None  # pooling consumes the mask
    assert seen == [True]  # the symbolic call received the mask
    model = keraslite.Model(inputs, pooled)
    x, _ = _data(3)
    model(x)
    assert seen == [True, True]
