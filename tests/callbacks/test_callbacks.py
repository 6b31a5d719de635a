"""Callback, CallbackList, History and ProgbarLogger, driven by hand like the trainer drives them."""
import re

import numpy as np
import pytest

import keraslite
from keraslite.callbacks import Callback, CallbackList, History, ProgbarLogger

ALL_HOOKS = [
    ("on_train_begin", ()), ("on_train_end", ()), ("on_epoch_begin", (0,)), ("on_epoch_end", (0,)),
    ("on_train_batch_begin", (0,)), ("on_train_batch_end", (0,)),
    ("on_test_begin", ()), ("on_test_end", ()),
    ("on_test_batch_begin", (0,)), ("on_test_batch_end", (0,)),
    ("on_predict_begin", ()), ("on_predict_end", ()),
    ("on_predict_batch_begin", (0,)), ("on_predict_batch_end", (0,)),
]


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.name = "fake"


class Recorder(Callback):
    """Records every hook it sees, with its logs."""

    def __init__(self):
        super().__init__()
        self.events = []


def _recording_hook(name):
    def hook(self, *args, logs=None):
        self.events.append((name, args, logs))
    return hook


for _name, _ in ALL_HOOKS:
    setattr(Recorder, _name, _recording_hook(_name))


class EpochOnly(Callback):
    def __init__(self):
        super().__init__()
        self.logs = []

    def on_epoch_end(self, epoch, logs=None):
        self.logs.append((epoch, logs))


class BatchWatcher(Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append((batch, logs))


class OldStyleBatch(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_batch_end(self, batch, logs=None):
        self.seen.append(batch)


def _tensor(value):
    return keraslite.backend.convert_to_tensor(np.float32(value))


def _simulate_fit(callbacks, epochs=2, steps=4, chunk=2, with_validation=True):
    """What the trainer does: chunks of `chunk` steps per compiled call, batch_end per chunk."""
    model = callbacks.model
    callbacks.on_train_begin()
    logs = {}
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        per_call = 1 if callbacks.needs_train_batch_hooks else chunk
        step = 0
        while step < steps:
            n = min(per_call, steps - step)
            callbacks.on_train_batch_begin(step)
            step += n
            logs = {"accuracy": _tensor(0.5 + 0.1 * epoch), "loss": _tensor(1.0 / (epoch + 1))}
            callbacks.on_train_batch_end(step - 1, logs)
        epoch_logs = {k: float(v) for k, v in logs.items()}
        if with_validation:
            callbacks.on_test_begin()
            callbacks.on_test_batch_end(0, {"accuracy": _tensor(0.25), "loss": _tensor(2.0)})
            val = {"accuracy": 0.25, "loss": 2.0}
            callbacks.on_test_end(val)
            epoch_logs.update({f"val_{k}": v for k, v in val.items()})
        callbacks.on_epoch_end(epoch, epoch_logs)
        logs = epoch_logs
        if model is not None and model.stop_training:
            break
    callbacks.on_train_end(logs)
    return callbacks.history


# -- Callback -------------------------------------------------------------------------------------
def test_callback_has_every_hook_and_they_do_nothing():
    callback = Callback()
    for hook, args in ALL_HOOKS + [("on_batch_begin", (0,)), ("on_batch_end", (0,))]:
        assert getattr(callback, hook)(*args, logs={"loss": 1.0}) is None
        assert getattr(callback, hook)(*args) is None
    assert callback.model is None and callback.params is None
    model = FakeModel()
    callback.set_model(model)
    callback.set_params({"verbose": 1, "epochs": 3, "steps": 10})
    assert callback.model is model
    assert callback.params == {"verbose": 1, "epochs": 3, "steps": 10}


def test_train_batch_hooks_fall_back_to_old_batch_hooks():
    callback = OldStyleBatch()
    callback.on_train_batch_end(3, {})
    assert callback.seen == [3]


# -- CallbackList ---------------------------------------------------------------------------------
def test_callback_list_adds_history_and_progbar_and_sets_model_and_params():
    model = FakeModel()
    user = EpochOnly()
    cbs = CallbackList([user], add_history=True, add_progbar=True, model=model,
                       verbose=1, epochs=3, steps=10)
    assert cbs.callbacks[0] is user
    assert isinstance(cbs.history, History) and isinstance(cbs.progbar, ProgbarLogger)
    assert len(cbs) == 3 and list(cbs) == cbs.callbacks
    for callback in cbs:
        assert callback.model is model
        assert callback.params == {"verbose": 1, "epochs": 3, "steps": 10}
    assert cbs.progbar.verbose == 1 and cbs.progbar.epochs == 3 and cbs.progbar.target == 10


def test_callback_list_reuses_given_history_and_progbar_and_flattens():
    history, progbar, user = History(), ProgbarLogger(), EpochOnly()
    cbs = CallbackList([[user], (history, progbar)], add_history=True, add_progbar=True)
    assert cbs.callbacks == [user, history, progbar]
    assert cbs.history is history and cbs.progbar is progbar
    assert CallbackList(None).callbacks == []
    assert CallbackList(user).callbacks == [user]
    assert CallbackList(cbs).callbacks == cbs.callbacks


def test_append_sets_model_and_params():
    model = FakeModel()
    cbs = CallbackList([], model=model, verbose=2, epochs=1, steps=None)
    extra = EpochOnly()
    cbs.append(extra)
    assert extra.model is model and extra.params["verbose"] == 2
    assert not cbs.needs_batch_hooks
    cbs.append(BatchWatcher())
    assert cbs.needs_batch_hooks  # the cache is reset by append


def test_needs_batch_hooks():
    assert not CallbackList([], add_history=True, add_progbar=True).needs_batch_hooks
    assert not CallbackList([EpochOnly()], add_history=True, add_progbar=True).needs_batch_hooks
    watcher = CallbackList([BatchWatcher()])
    assert watcher.needs_batch_hooks and watcher.needs_train_batch_hooks
    assert not watcher.needs_test_batch_hooks and not watcher.needs_predict_batch_hooks
    assert CallbackList([OldStyleBatch()]).needs_train_batch_hooks

    class TestBatch(Callback):
        def on_test_batch_begin(self, batch, logs=None):
            pass

    tester = CallbackList([TestBatch()])
    assert tester.needs_batch_hooks and tester.needs_test_batch_hooks
    assert not tester.needs_train_batch_hooks

    class Subclassed(ProgbarLogger):
        pass

    assert not CallbackList([Subclassed(), History()]).needs_batch_hooks


def test_every_hook_reaches_every_callback_in_order():
    first, second = Recorder(), Recorder()
    cbs = CallbackList([first, second])
    for hook, args in ALL_HOOKS:
        getattr(cbs, hook)(*args, logs={"loss": _tensor(0.5)})
    assert [e[0] for e in first.events] == [h for h, _ in ALL_HOOKS]
    assert first.events == second.events
    for name, args, logs in first.events:
        assert logs == {"loss": 0.5}
        assert type(logs["loss"]) is float  # scalar tensors arrive as Python floats


def test_logs_are_python_numbers_and_outputs_numpy():
    watcher = BatchWatcher()
    recorder = Recorder()
    cbs = CallbackList([watcher, recorder])
    cbs.on_train_batch_end(0, {"loss": _tensor(0.25), "step": np.int64(3)})
    (_, logs), = watcher.batches
    assert logs == {"loss": 0.25, "step": 3}
    assert type(logs["loss"]) is float and type(logs["step"]) is int
    outputs = keraslite.backend.convert_to_tensor(np.ones((2, 3), "float32"))
    cbs.on_predict_batch_end(0, {"outputs": outputs})
    predicted = recorder.events[-1][2]["outputs"]
    assert isinstance(predicted, np.ndarray) and predicted.shape == (2, 3)
    cbs.on_train_end(None)
    assert recorder.events[-1][2] == {}


def test_no_op_batch_hooks_do_not_convert_logs():
    class Exploding:
        shape = ()

        def __array__(self, *args, **kwargs):
            raise AssertionError("logs were converted although nobody reads them")

    cbs = CallbackList([EpochOnly()], add_history=True, add_progbar=True, verbose=2, epochs=1,
                       steps=3)
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(2, {"loss": Exploding()})  # progbar stores it; verbose=2 never draws it


def test_stop_training_is_visible_to_the_trainer():
    class Stopper(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < 0.6:
                self.model.stop_training = True

    model = FakeModel()
    cbs = CallbackList([Stopper()], add_history=True, model=model, verbose=0, epochs=5, steps=4)
    history = _simulate_fit(cbs, epochs=5)
    assert model.stop_training
    assert history.epoch == [0, 1]


# -- History --------------------------------------------------------------------------------------
def test_history_records_epoch_logs_and_sets_model_history():
    model = FakeModel()
    epoch_only = EpochOnly()
    cbs = CallbackList([epoch_only], add_history=True, model=model, verbose=0, epochs=2, steps=4)
    history = _simulate_fit(cbs)
    assert isinstance(history, History)
    assert history.epoch == [0, 1]
    assert history.history["loss"] == pytest.approx([1.0, 0.5])
    assert history.history["accuracy"] == pytest.approx([0.5, 0.6])
    assert history.history["val_loss"] == [2.0, 2.0]
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert model.history is history
    assert history.model is model
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 4}
    assert [e for e, _ in epoch_only.logs] == [0, 1]


def test_batch_hooks_fire_every_step_only_when_needed():
    watcher = BatchWatcher()
    cbs = CallbackList([watcher], add_history=True, model=FakeModel(), verbose=0, epochs=1,
                       steps=4)
    _simulate_fit(cbs, epochs=1, with_validation=False)
    assert [b for b, _ in watcher.batches] == [0, 1, 2, 3]
    assert all(type(logs["loss"]) is float for _, logs in watcher.batches)


# -- ProgbarLogger ----------------------------------------------------------------------------------
def _plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_progbar_logger_verbose_1_not_a_terminal(capsys):
    cbs = CallbackList([], add_history=True, add_progbar=True, model=FakeModel(), verbose=1,
                       epochs=2, steps=4)
    _simulate_fit(cbs)
    out = capsys.readouterr().out
    assert not re.search(r"[\x00-\x09\x0b-\x1f]", out)
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert len(lines) == 4
    assert re.fullmatch(
        r"4/4 ━{20} \d+s \d+(us|ms|s)/step - accuracy: 0\.5000 - loss: 1\.0000"
        r" - val_accuracy: 0\.2500 - val_loss: 2\.0000", lines[1]), lines[1]
    assert "accuracy: 0.6000 - loss: 0.5000 - val_accuracy" in lines[3]


def test_progbar_logger_verbose_2(capsys):
    cbs = CallbackList([], add_history=True, add_progbar=True, verbose=2, epochs=2, steps=4)
    _simulate_fit(cbs)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and len(lines) == 4
    assert re.fullmatch(
        r"4/4 - \d+s - \d+(us|ms|s)/step - accuracy: 0\.5000 - loss: 1\.0000"
        r" - val_accuracy: 0\.2500 - val_loss: 2\.0000", lines[1]), lines[1]


def test_single_epoch_has_no_epoch_line(capsys):
    cbs = CallbackList([], add_progbar=True, verbose=2, epochs=1, steps=4)
    _simulate_fit(cbs, epochs=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("4/4 - ")


def test_verbose_0_is_silent(capsys):
    cbs = CallbackList([], add_history=True, add_progbar=False, verbose=0, epochs=2, steps=4)
    _simulate_fit(cbs)
    explicit = CallbackList([ProgbarLogger()], verbose=0, epochs=2, steps=4)
    _simulate_fit(explicit)
    assert capsys.readouterr().out == ""


def test_unknown_steps_are_learned_in_the_first_epoch(capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=2, steps=None)
    _simulate_fit(cbs, steps=6, with_validation=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("6/6 ━") and lines[3].startswith("6/6 ━")


def test_terminal_progress_during_fit(monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    monkeypatch.setattr(sys, "stdout", stream)
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=4)
    cbs.progbar.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.progbar.progbar.interval = 0
    for step in range(4):
        cbs.on_train_batch_end(step, {"loss": _tensor(0.5)})
    cbs.on_epoch_end(0, {"loss": 0.5})
    frames = [_plain(f) for f in stream.getvalue().split("\r") if f]
    assert [f.split(" ")[0] for f in frames] == ["1/4", "2/4", "3/4", "4/4", "4/4"]
    assert frames[-1].endswith("\n")
    assert frames[-1].rstrip().endswith("loss: 0.5000")  # padded over a longer previous frame


def test_progbar_logger_evaluate_and_predict(capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=3)
    cbs.on_test_begin()
    for step in range(3):
        cbs.on_test_batch_end(step, {"loss": _tensor(0.75)})
    cbs.on_test_end({"loss": 0.75})
    cbs.on_predict_begin()
    for step in range(3):
        cbs.on_predict_batch_end(step, {"outputs": np.zeros((2, 2))})
    cbs.on_predict_end()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms|s)/step - loss: 0\.7500", lines[0]), lines[0]
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms|s)/step", lines[1]), lines[1]

    cbs = CallbackList([], add_progbar=True, verbose=2, epochs=1, steps=3)
    cbs.on_predict_begin()
    cbs.on_predict_batch_end(2, {"outputs": np.zeros((2, 2))})
    cbs.on_predict_end()
    assert re.fullmatch(r"3/3 - \d+s - \d+(us|ms|s)/step\n", capsys.readouterr().out)


def test_validation_inside_fit_is_silent(capsys):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=2)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(1, {"loss": 1.0})
    cbs.on_test_begin()
    cbs.on_test_batch_end(0, {"loss": 9.0})
    cbs.on_test_end({"loss": 9.0})
    assert capsys.readouterr().out == ""
    cbs.on_epoch_end(0, {"loss": 1.0, "val_loss": 9.0})
    cbs.on_train_end()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "val_loss: 9.0000" in out
    cbs.on_test_begin()  # evaluate after fit shows its own bar again
    cbs.on_test_end({"loss": 3.0})
    assert "loss: 3.0000" in capsys.readouterr().out


def test_public_names():
    import keraslite.callbacks as callbacks

    for name in ("Callback", "CallbackList", "History", "ProgbarLogger"):
        assert hasattr(callbacks, name)
