"""Models with the same architecture share compiled loops: a tuner trial that only changes the
learning rate compiles nothing, and trains exactly as a freshly compiled model does."""
import gc
import weakref

import numpy as np

import keraslite as keras
from keraslite import tuner as kt
from keraslite.backends import compile as B_compile

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 6)).astype("float32")
Y = RNG.integers(0, 3, size=40).astype("int32")
FIT = dict(epochs=2, batch_size=16, validation_split=0.25, shuffle=False, verbose=0)


def _model(units: int, learning_rate: float):
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_same_architecture_reuses_loops_and_trains_like_a_fresh_compile():
    B_compile.clear_shared_programs()
    first = _model(8, 1e-3)
    initial = first.get_weights()
    first.fit(X, Y, **FIT)
    before = B_compile.compilations()

    reused = _model(8, 3e-2)  # another learning rate: state, not part of the program
    reused.set_weights(initial)
    reused_logs = reused.fit(X, Y, **FIT).history
    assert B_compile.compilations() == before

    B_compile.clear_shared_programs()  # the reference compiles its own loops
    fresh = _model(8, 3e-2)
    fresh.set_weights(initial)
    fresh_logs = fresh.fit(X, Y, **FIT).history
    assert B_compile.compilations() > before
    for got, want in zip(reused.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(reused_logs["val_loss"], fresh_logs["val_loss"], rtol=1e-6)
    # The shared loop took this model's learning rate, not the first model's.
    assert not np.allclose(first.get_weights()[0], reused.get_weights()[0], atol=1e-4)

    count = B_compile.compilations()
    _model(16, 3e-2).fit(X, Y, **FIT)  # another architecture: its own loops
    assert B_compile.compilations() > count

    # The programs kept for sharing hold no model: a released model is freed.
    released = weakref.ref(first)
    del first
    gc.collect()
    assert released() is None


class _CountCompilations(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.after_trial = []

    def on_train_end(self, logs=None):
        self.after_trial.append(B_compile.compilations())


def test_second_trial_of_one_architecture_compiles_nothing(tmp_path):
    B_compile.clear_shared_programs()

    def build(hp):
        return _model(8, hp.Choice("learning_rate", [1e-3, 1e-2]))

    counter = _CountCompilations()
    tuner = kt.GridSearch(build, "val_accuracy", max_trials=2, directory=str(tmp_path),
                          project_name="reuse", verbose=0)
    start = B_compile.compilations()
    tuner.search(X, Y, callbacks=[counter], **FIT)
    rates = sorted(r.hyperparameters.values["learning_rate"]
                   for r in tuner.oracle.trials.values())
    assert rates == [1e-3, 1e-2]
    assert counter.after_trial[0] > start and counter.after_trial[1] == counter.after_trial[0]
