"""OrbaxCheckpoint: per-epoch Orbax checkpoints of the model state, restored bit for bit."""
import numpy as np
import pytest

import keraslite
from keraslite.callbacks import OrbaxCheckpoint

pytest.importorskip("orbax.checkpoint")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 3)).astype("float32")
Y = X.sum(-1, keepdims=True)


def _model():
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(4),
                                  keraslite.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def _same_state(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_checkpoints_restore_the_whole_state(tmp_path):
    model = _model()
    callback = OrbaxCheckpoint(tmp_path / "run", max_to_keep=2)
    model.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[callback])
    assert callback.steps == [1, 2]  # the oldest of three was dropped
    fresh = _model()
    fresh.fit(X[:16], Y[:16], epochs=1, verbose=0)  # build optimizer and metric state
    assert OrbaxCheckpoint.restore(fresh, tmp_path / "run") == 2
    _same_state(fresh.get_state(), model.get_state())
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))


def test_best_only_and_weights_only(tmp_path):
    model = _model()
    callback = OrbaxCheckpoint(tmp_path / "best", monitor="loss", save_best_only=True,
                               save_weights_only=True, max_to_keep=5, save_on_background=False)
    history = model.fit(X, Y, epochs=4, batch_size=16, verbose=0, callbacks=[callback])
    losses = history.history["loss"]
    improved = [i for i, v in enumerate(losses) if v < min(losses[:i], default=np.inf)]
    assert callback.steps == improved
    fresh = _model()
    fresh.build((None, 3))
    before = {k: v for k, v in fresh.get_state().items() if not k.startswith("layers/")}
    OrbaxCheckpoint.restore(fresh, tmp_path / "best", step=improved[-1])
    after = fresh.get_state()
    for path, value in model.get_state().items():
        if path.startswith("layers/"):
            np.testing.assert_array_equal(after[path], value, err_msg=path)
    for path, value in before.items():  # only weights were in the checkpoint
        np.testing.assert_array_equal(after[path], value, err_msg=path)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="`save_freq` may only be 'epoch'"):
        OrbaxCheckpoint(tmp_path / "a", save_freq=10)
    with pytest.raises(ValueError, match="`max_to_keep` must be a positive int"):
        OrbaxCheckpoint(tmp_path / "b", max_to_keep=0)
    with pytest.raises(ValueError, match="no checkpoint step 7"):
        OrbaxCheckpoint(tmp_path / "c")
        OrbaxCheckpoint.restore(_model(), tmp_path / "c", step=7)
