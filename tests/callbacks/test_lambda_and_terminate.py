"""LambdaCallback (hook order in a real fit, every hook, batch-hook cost) and TerminateOnNaN
(clean stop instead of NonFiniteLossError)."""
import numpy as np
import pytest

from callback_test_helper import linear_data, linear_model
from keraslite.callbacks import CallbackList, LambdaCallback, TerminateOnNaN
from keraslite.callbacks.lambda_callback import HOOKS
from keraslite.training.trainer import NonFiniteLossError


def _recorder(events, hooks=HOOKS):
    def make(name):
        if name.endswith(("_train_begin", "_train_end", "_test_begin", "_test_end",
                          "_predict_begin", "_predict_end")):
            return lambda logs: events.append((name,))
        return lambda index, logs: events.append((name, index))
    return LambdaCallback(**{name: make(name) for name in hooks})


# -- LambdaCallback --------------------------------------------------------------------------------
def test_hook_order_in_fit():
    x, y = linear_data(16)
    model = linear_model()
    events = []
    hooks = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x[:8], y[:8]),
              callbacks=[_recorder(events, hooks)])
    epoch = lambda e: [("on_epoch_begin", e),  # noqa: E731
                       ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
                       ("on_train_batch_begin", 1), ("on_train_batch_end", 1),
                       ("on_test_begin",), ("on_test_end",), ("on_epoch_end", e)]
    assert events == [("on_train_begin",)] + epoch(0) + epoch(1) + [("on_train_end",)]


def test_every_hook_is_called_with_positional_arguments():
    events = []
    callback = _recorder(events)
    callbacks = CallbackList([callback])
    for name in HOOKS:
        if name in ("on_batch_begin", "on_batch_end"):
            getattr(callback, name)(7, {})  # old aliases: not dispatched by CallbackList
        elif name.endswith(("begin", "end")) and "batch" not in name and "epoch" not in name:
            getattr(callbacks, name)({"loss": 1.0})
        else:
            getattr(callbacks, name)(7, {"loss": 1.0})
    assert [e[0] for e in events] == list(HOOKS)
    assert all(len(e) == 1 or e[1] == 7 for e in events)


def test_logs_arrive_as_python_floats_and_old_batch_alias_works():
    x, y = linear_data(16)
    model = linear_model()
    seen = []
    callback = LambdaCallback(on_batch_end=lambda batch, logs: seen.append((batch, logs)))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[callback])
    assert [b for b, _ in seen] == [0, 1]
    assert all(type(logs["loss"]) is float for _, logs in seen)


def test_only_given_batch_hooks_cost_per_step_calls():
    epoch_only = LambdaCallback(on_epoch_end=lambda epoch, logs: None,
                                on_test_end=lambda logs: None)
    assert not CallbackList([epoch_only]).needs_batch_hooks
    train_batch = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    assert CallbackList([train_batch]).needs_train_batch_hooks
    assert not CallbackList([train_batch]).needs_test_batch_hooks
    predict_batch = LambdaCallback(on_predict_batch_end=lambda batch, logs: None)
    assert CallbackList([predict_batch]).needs_predict_batch_hooks
    assert not CallbackList([predict_batch]).needs_train_batch_hooks


def test_lambda_callback_bad_input():
    with pytest.raises(TypeError, match=r"LambdaCallback got unknown hook name\(s\) "
                                        r"\['on_epoch_finish'\]. Expected some of: "):
        LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match=r"LambdaCallback: `on_epoch_end` must be a function or "
                                        r"None. Received: on_epoch_end=3"):
        LambdaCallback(on_epoch_end=3)


# -- TerminateOnNaN --------------------------------------------------------------------------------
def _data_with_nan_at_sample(index, n=32):
    """Data whose squared error overflows float32 (inf loss) in the batch holding ``index``
    (fit refuses NaN inputs, so the bad loss comes from a finite but huge target)."""
    x, y = linear_data(n)
    y[index, 0] = 1e20
    return x, y


def test_terminate_on_nan_stops_cleanly_at_the_bad_batch(capsys):
    x, y = _data_with_nan_at_sample(19)  # batch 2 of batch_size 8
    model = linear_model()
    batches, ended = [], []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch),
                            on_train_end=lambda logs: ended.append(logs))
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[TerminateOnNaN(), record])
    assert batches == [0, 1, 2]
    assert history.epoch == [0] and not np.isfinite(history.history["loss"][0])
    assert len(ended) == 1 and model.stop_training
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out


def test_without_terminate_on_nan_fit_raises():
    x, y = _data_with_nan_at_sample(3)
    model = linear_model()
    with pytest.raises(NonFiniteLossError):
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)


def test_terminate_on_nan_raise_error():
    x, y = _data_with_nan_at_sample(3)
    model = linear_model()
    ended = []
    record = LambdaCallback(on_train_end=lambda logs: ended.append(logs))
    with pytest.raises(RuntimeError, match=r"TerminateOnNaN: the training loss became inf at "
                                           r"batch 0"):
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0,
                  callbacks=[TerminateOnNaN(raise_error=True), record])
    assert ended == []


def test_terminate_on_nan_leaves_finite_training_alone():
    x, y = linear_data(16)
    model = linear_model()
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[TerminateOnNaN()])
    assert history.epoch == [0, 1]
    assert CallbackList([TerminateOnNaN()]).stops_on_nonfinite_loss
    assert not CallbackList([LambdaCallback()]).stops_on_nonfinite_loss
