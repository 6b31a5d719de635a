"""Optimizer state with Keras's extras (EMA averages, gradient accumulators) crosses `.keras`
archives both ways: Keras 3 is the oracle for the stored values and for the next step."""
import os

import numpy as np
import pytest

import keraslite

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

OPTIMIZER = {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.9,
             "gradient_accumulation_steps": 2}
RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype("float32")
Y = RNG.normal(size=(12, 2)).astype("float32")


def _np(x):
    return np.asarray(keraslite.ops.convert_to_numpy(x))


def _keras_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])
    model.compile(optimizer=keras.optimizers.Adam(**OPTIMIZER), loss="mse")
    return model


def _state(optimizer):
    return [np.asarray(keras.ops.convert_to_numpy(v)) for v in optimizer.variables]


def test_keras_archive_with_ema_and_accumulators_loads_and_trains_on(tmp_path):
    theirs = _keras_model()
    theirs.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)  # 3 steps: odd count
    path = str(tmp_path / "keras_written.keras")
    theirs.save(path)
    ours = keraslite.models.load_model(path)
    stored = _state(theirs.optimizer)
    restored = [_np(v.value) for v in
                keraslite.saving.keras_optimizer_state.keras_order(ours.optimizer)]
    assert len(restored) == len(stored) == 2 + 2 + 2 + 4
    for mine, expected in zip(restored, stored):
        np.testing.assert_allclose(mine, expected, rtol=1e-6, atol=1e-7)
    # Keras continues from its own file too (its model that wrote the file cannot fit again
    # after save with these extras: a Keras bug, so the oracle is the reloaded model).
    theirs = keras.models.load_model(path)
    for model in (theirs, ours):
        model.fit(X[:8], Y[:8], batch_size=4, epochs=1, shuffle=False, verbose=0)
    for mine, expected in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, np.asarray(expected), atol=1e-5)


def test_keraslite_archive_with_extras_loads_in_keras(tmp_path):
    ours = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(2, name="dense")])
    ours.compile(optimizer=keraslite.optimizers.Adam(**OPTIMIZER), loss="mse")
    ours.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    path = str(tmp_path / "keraslite_written.keras")
    ours.save(path)
    theirs = keras.models.load_model(path)
    mine = [_np(v.value) for v in
            keraslite.saving.keras_optimizer_state.keras_order(ours.optimizer)]
    for value, expected in zip(mine, _state(theirs.optimizer)):
        np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-7)
