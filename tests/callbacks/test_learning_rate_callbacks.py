"""ReduceLROnPlateau and LearningRateScheduler: learning rates per epoch against hand-computed
values, the rate the compiled step really uses (NumPy SGD reference), logs and bad input."""
import json

import numpy as np
import pytest

import keraslite
from callback_test_helper import drive, inject, linear_data, linear_model
from keraslite.callbacks import LambdaCallback, LearningRateScheduler, ReduceLROnPlateau


def _lr(model):
    return float(model.optimizer.learning_rate)


def _lr_per_epoch(model, callback, logs_per_epoch):
    """Learning rate in force at the start of each epoch, driving the hooks by hand."""
    seen = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(_lr(model)))
    from keraslite.callbacks import CallbackList

    callbacks = CallbackList([callback, record], model=model, verbose=0, epochs=1, steps=1)
    callbacks.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, dict(logs))
    callbacks.on_train_end()
    return seen + [_lr(model)]


# -- ReduceLROnPlateau ---------------------------------------------------------------------------
def test_reduce_on_plateau_hand_computed():
    model = linear_model(learning_rate=0.1)
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, min_delta=0.0)
    losses = [1.0, 0.9, 0.9, 0.9, 0.8, 0.85, 0.86, 0.87, 0.88]
    # e0, e1 best; e2 wait 1; e3 wait 2 -> 0.05; e4 best; e5 w1; e6 w2 -> 0.025; e7 w1; e8 w2
    # -> 0.0125.
    got = _lr_per_epoch(model, reduce, [{"val_loss": v} for v in losses])
    expected = [0.1] * 4 + [0.05] * 3 + [0.025] * 2 + [0.0125]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_reduce_on_plateau_cooldown_and_min_lr():
    model = linear_model(learning_rate=0.1)
    reduce = ReduceLROnPlateau(monitor="val_acc", mode="max", factor=0.5, patience=1,
                               cooldown=2, min_lr=0.03)
    # Flat metric: e0 best; e1 wait 1 -> 0.05, cooldown 2; e2 cooldown (counter -> 1); e3
    # counter -> 0, then counts: wait 1 -> max(0.025, min_lr) = 0.03, cooldown 2; e4 counter
    # -> 1; e5, e6 wait 1, 2, but the rate is already at min_lr: unchanged, no new cooldown.
    got = _lr_per_epoch(model, reduce, [{"val_acc": 0.5}] * 7)
    expected = [0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert reduce.cooldown_counter == 0 and reduce.wait == 2


def test_reduce_on_plateau_adds_learning_rate_to_logs_in_fit():
    x, y = linear_data()
    model = linear_model(learning_rate=0.1)
    during = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: during.append(_lr(model)))
    scores = [1.0, 1.0, 0.5, 0.6, 0.7]
    reduce = ReduceLROnPlateau(monitor="score", mode="min", factor=0.1, patience=1,
                               min_delta=0.0)
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0,
                        callbacks=[record, inject("score", scores), reduce])
    # e1 no improvement -> 0.01 for e2; e3 -> 0.001 for e4.
    np.testing.assert_allclose(during, [0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-6)
    # The logged rate is the one used during the epoch (before the epoch-end reduction).
    np.testing.assert_allclose(history.history["learning_rate"], during, rtol=1e-6)
    assert all(type(v) is float for v in history.history["learning_rate"])


def test_reduce_on_plateau_missing_metric_warns():
    model = linear_model()
    with pytest.warns(UserWarning, match=r"ReduceLROnPlateau.*val_loss.*Available: "
                                         r"learning_rate, loss"):
        drive(ReduceLROnPlateau(), model, [{"loss": 1.0}])


def test_reduce_on_plateau_state_round_trip():
    model = linear_model(learning_rate=0.1)
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=3)
    drive(reduce, model, [{"val_loss": v} for v in [1.0, 1.0]])
    state = reduce.get_state()
    assert json.loads(json.dumps(state)) == state == {"best": 1.0, "wait": 1,
                                                      "cooldown_counter": 0}
    resumed = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=3)
    resumed.set_state(state)
    resumed.set_model(model)
    resumed.on_train_begin()
    resumed.on_epoch_end(2, {"val_loss": 1.0})
    assert _lr(model) == pytest.approx(0.05) and resumed.cooldown_counter == 3


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(factor=1.0), ValueError, r"ReduceLROnPlateau: `factor` must be between 0 and 1.*"
                                   r"Received: factor=1.0"),
    (dict(factor=2), ValueError, r"`factor`.*Received: factor=2"),
    (dict(factor=0), ValueError, r"`factor`.*Received: factor=0"),
    (dict(factor="half"), TypeError, r"ReduceLROnPlateau: `factor` must be a number"),
    (dict(patience=-1), ValueError, r"ReduceLROnPlateau: `patience` must be an integer >= 0"),
    (dict(cooldown=-3), ValueError, r"ReduceLROnPlateau: `cooldown`.*-3"),
    (dict(min_lr=-1e-3), ValueError, r"ReduceLROnPlateau: `min_lr` must be >= 0"),
    (dict(mode="up"), ValueError, r"ReduceLROnPlateau: `mode` must be one of.*mode='up'"),
])
def test_reduce_on_plateau_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        ReduceLROnPlateau(**kwargs)


# -- LearningRateScheduler -------------------------------------------------------------------------
def _numpy_sgd(weights, x, y, rates, batch_size):
    """Plain SGD on mean squared error for y = x @ W + b, one learning rate per epoch."""
    w, b = (np.array(v, dtype=np.float64) for v in weights)
    for rate in rates:
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            error = xb @ w + b - yb
            w -= rate * 2.0 * xb.T @ error / error.size
            b -= rate * 2.0 * error.sum(axis=0) / error.size
    return w, b


@pytest.mark.parametrize("two_arguments", [True, False])
def test_scheduler_sets_the_rate_the_step_uses(two_arguments):
    x, y = linear_data(24)
    model = linear_model(learning_rate=0.2)
    start = model.get_weights()
    if two_arguments:
        schedule = lambda epoch, lr: lr * 0.5 if epoch else lr  # noqa: E731
    else:
        schedule = lambda epoch: [0.2, 0.05, 0.01, 0.002][epoch]  # noqa: E731
    expected_rates = [0.2, 0.1, 0.05, 0.025] if two_arguments else [0.2, 0.05, 0.01, 0.002]
    during = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: during.append(_lr(model)))
    history = model.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[LearningRateScheduler(schedule), record])
    np.testing.assert_allclose(during, expected_rates, rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], expected_rates, rtol=1e-6)
    w, b = _numpy_sgd(start, x.astype(np.float64), y.astype(np.float64), expected_rates, 8)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-5)
    # A constant rate gives different weights: the schedule really changed training.
    w_const, _ = _numpy_sgd(start, x.astype(np.float64), y.astype(np.float64), [0.2] * 4, 8)
    assert not np.allclose(w_const, w, atol=1e-4)


def test_scheduler_accepts_callable_objects_and_numpy_floats(capsys):
    class Halve:
        def __call__(self, epoch, lr):
            return np.float32(lr / 2)

    model = linear_model(learning_rate=0.4)
    got = _lr_per_epoch(model, LearningRateScheduler(Halve(), verbose=1), [{}, {}])
    np.testing.assert_allclose(got, [0.2, 0.1, 0.1], rtol=1e-6)
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.1" in capsys.readouterr().out


def test_scheduler_bad_input():
    with pytest.raises(TypeError, match=r"LearningRateScheduler: `schedule` must be a function.*"
                                        r"Received: schedule=0.1"):
        LearningRateScheduler(0.1)
    model = linear_model()
    with pytest.raises(ValueError, match=r"LearningRateScheduler: `schedule` must return a "
                                         r"float. Received: 'fast' \(of type str\) for epoch=0"):
        drive(LearningRateScheduler(lambda epoch: "fast"), model, [{}])


def test_scheduler_with_a_schedule_optimizer_explains():
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
    decay = keraslite.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    model.compile(optimizer=keraslite.optimizers.SGD(decay), loss="mse")
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        drive(LearningRateScheduler(lambda epoch: 0.1), model, [{}])
