"""ModelCheckpoint: files written per epoch / per N batches / best only, their contents equal the
weights at that moment (read back with load_weights), templates, max_to_keep, bad input."""
import json
import os

import numpy as np
import pytest

import keraslite
from callback_test_helper import inject, linear_data, linear_model
from keraslite.callbacks import CallbackList, LambdaCallback, ModelCheckpoint


def _weights_in(path):
    fresh = linear_model(seed=123)
    fresh.load_weights(str(path))
    return fresh.get_weights()


def _assert_weights_equal(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def _fit(model, callbacks, epochs=3, n=16, **kwargs):
    x, y = linear_data(n)
    seen = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    history = model.fit(x, y, epochs=epochs, batch_size=8, verbose=0,
                        callbacks=[record] + callbacks, **kwargs)
    return history, seen


def test_weights_every_epoch_with_a_template(tmp_path):
    model = linear_model()
    template = str(tmp_path / "w-{epoch:02d}-{val_loss:.3f}.safetensors")
    x, y = linear_data(8, seed=1)
    history, seen = _fit(model, [ModelCheckpoint(template, save_weights_only=True)],
                         validation_data=(x, y))
    for epoch in range(3):
        path = tmp_path / f"w-{epoch + 1:02d}-{history.history['val_loss'][epoch]:.3f}.safetensors"
        assert path.exists(), sorted(os.listdir(tmp_path))
        _assert_weights_equal(_weights_in(path), seen[epoch])
    assert len(os.listdir(tmp_path)) == 3


def test_full_model_every_epoch(tmp_path):
    model = linear_model()
    _, seen = _fit(model, [ModelCheckpoint(str(tmp_path / "m{epoch}.keraslite"))], epochs=2)
    assert sorted(os.listdir(tmp_path)) == ["m1.keraslite", "m2.keraslite"]
    _assert_weights_equal(_weights_in(tmp_path / "m1.keraslite"), seen[0])
    loaded = keraslite.models.load_model(str(tmp_path / "m2.keraslite"))
    _assert_weights_equal(loaded.get_weights(), seen[1])


@pytest.mark.parametrize("mode, scores, saved_epochs, best_epoch", [
    ("min", [3.0, 2.0, 2.5, 1.0, 1.5], [1, 2, 4], 3),
    ("max", [0.1, 0.3, 0.2, 0.25, 0.4], [1, 2, 5], 4),
])
def test_save_best_only(tmp_path, mode, scores, saved_epochs, best_epoch):
    model = linear_model()
    numbered = ModelCheckpoint(str(tmp_path / "n" / "e{epoch}.safetensors"), monitor="score",
                               mode=mode, save_best_only=True, save_weights_only=True)
    single = ModelCheckpoint(str(tmp_path / "best.safetensors"), monitor="score", mode=mode,
                             save_best_only=True, save_weights_only=True)
    _, seen = _fit(model, [inject("score", scores), numbered, single], epochs=5)
    assert sorted(os.listdir(tmp_path / "n")) == [f"e{e}.safetensors" for e in saved_epochs]
    _assert_weights_equal(_weights_in(tmp_path / "best.safetensors"), seen[best_epoch])
    assert single.best == scores[best_epoch]


def test_initial_value_threshold(tmp_path):
    model = linear_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.safetensors"), monitor="score",
                                 mode="max", save_best_only=True, save_weights_only=True,
                                 initial_value_threshold=0.7)
    _fit(model, [inject("score", [0.5, 0.8, 0.6]), checkpoint])
    assert os.listdir(tmp_path) == ["e2.safetensors"]


def test_missing_monitor_saves_anyway_with_a_warning(tmp_path):
    model = linear_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.safetensors"), save_best_only=True,
                                 save_weights_only=True)
    with pytest.warns(UserWarning, match=r"ModelCheckpoint: can save the best model only with "
                                         r"`val_loss`"):
        _fit(model, [checkpoint], epochs=1)
    assert os.listdir(tmp_path) == ["e1.safetensors"]


def test_save_freq_in_batches(tmp_path):
    model = linear_model()
    weights_at = {}
    x, y = linear_data(24)  # 3 batches of 8 per epoch

    def remember(batch, logs):
        weights_at[len(weights_at)] = model.get_weights()

    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.safetensors"),
                                 save_weights_only=True, save_freq=2)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[LambdaCallback(on_train_batch_end=remember), checkpoint])
    # Global batches 2, 4, 6 -> epoch 1 batch 2, epoch 2 batch 1, epoch 2 batch 3 (1-based).
    assert sorted(os.listdir(tmp_path)) == ["e1-b2.safetensors", "e2-b1.safetensors",
                                            "e2-b3.safetensors"]
    _assert_weights_equal(_weights_in(tmp_path / "e2-b1.safetensors"), weights_at[3])
    _assert_weights_equal(_weights_in(tmp_path / "e2-b3.safetensors"), weights_at[5])


def test_save_freq_counts_steps_of_multi_step_calls():
    checkpoint = ModelCheckpoint("unused.safetensors", save_weights_only=True, save_freq=4)
    saves = []
    checkpoint._save = lambda epoch, batch, logs: saves.append((epoch, batch))
    for epoch in range(2):  # batch_end reported every 3 steps (steps_per_execution=3), 6 steps
        checkpoint.on_epoch_begin(epoch)
        for batch in (2, 5):
            checkpoint.on_train_batch_end(batch, {})
    # Steps since the last save: 3, then 6 (>= 4: save, restart), 3 (new epoch), 6 (save).
    assert saves == [(0, 5), (1, 5)]


def test_max_to_keep(tmp_path):
    model = linear_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.safetensors"), save_weights_only=True,
                                 max_to_keep=2)
    _, seen = _fit(model, [checkpoint], epochs=4)
    assert sorted(os.listdir(tmp_path)) == ["e3.safetensors", "e4.safetensors"]
    _assert_weights_equal(_weights_in(tmp_path / "e4.safetensors"), seen[3])
    state = checkpoint.get_state()
    assert json.loads(json.dumps(state)) == state
    assert [os.path.basename(p) for p in state["written"]] == ["e3.safetensors",
                                                               "e4.safetensors"]
    resumed = ModelCheckpoint(str(tmp_path / "e{epoch}.safetensors"), save_weights_only=True,
                              max_to_keep=2)
    resumed.set_state(state)
    resumed.set_model(model)
    resumed.on_epoch_end(4, {"loss": 1.0})  # the resumed run keeps deleting its oldest file
    assert sorted(os.listdir(tmp_path)) == ["e4.safetensors", "e5.safetensors"]


def test_batch_hooks_only_when_saving_by_batches():
    assert not CallbackList([ModelCheckpoint("m.keraslite")]).needs_batch_hooks
    assert CallbackList([ModelCheckpoint("m.keraslite", save_freq=5)]).needs_train_batch_hooks


def test_unknown_template_key(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "{val_acc:.2f}.keraslite"))
    checkpoint.set_model(linear_model())
    with pytest.raises(ValueError, match=r"ModelCheckpoint: `filepath` .* names \{val_acc\}, "
                                         r"which is not available when saving. Available: "
                                         r"epoch, loss"):
        checkpoint.on_epoch_end(0, {"loss": 1.0})


def test_existing_directory_is_refused(tmp_path):
    (tmp_path / "x.keraslite").mkdir()
    checkpoint = ModelCheckpoint(str(tmp_path / "x.keraslite"))
    checkpoint.set_model(linear_model())
    with pytest.raises(ValueError, match="is an existing directory"):
        checkpoint.on_epoch_end(0, {"loss": 1.0})


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(filepath="m.h5"), ValueError,
     r"ModelCheckpoint: `filepath` must end in '.keraslite' to save the full model "
     r"\(save_weights_only=False\). Received: filepath='m.h5'"),
    (dict(filepath="m.npz", save_weights_only=True), ValueError,
     r"must end in '.safetensors' to save weights \(save_weights_only=True\). "
     r"Received: filepath='m.npz'"),
    (dict(filepath="m.safetensors"), ValueError, r"must end in '.keraslite'"),
    (dict(filepath="m.keraslite", save_freq="often"), ValueError,
     r"ModelCheckpoint: `save_freq` must be 'epoch' or a positive integer number of batches. "
     r"Received: save_freq='often'"),
    (dict(filepath="m.keraslite", save_freq=0), ValueError, r"`save_freq`.*save_freq=0"),
    (dict(filepath="m.keraslite", mode="best"), ValueError,
     r"ModelCheckpoint: `mode` must be one of 'auto', 'min', 'max'. Received: mode='best'"),
    (dict(filepath="m.keraslite", max_to_keep=0), ValueError,
     r"ModelCheckpoint: `max_to_keep` must be an integer >= 1. Received: max_to_keep=0"),
    (dict(filepath=None), TypeError, r"ModelCheckpoint: `filepath` must be a path"),
])
def test_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        ModelCheckpoint(**kwargs)
