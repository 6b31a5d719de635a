"""EarlyStopping: stop epochs against hand-computed answers, a real fit, best-weight restore."""
import json
import warnings

import numpy as np
import pytest

from callback_test_helper import drive, inject, linear_data, linear_model
from keraslite.callbacks import EarlyStopping, LambdaCallback


def _val_loss(values):
    return [{"loss": 1.0, "val_loss": v} for v in values]


@pytest.mark.parametrize("kwargs, values, epochs_run, stopped_epoch", [
    # best 1.0, 0.9; then 0.95 (wait 1), 0.92 (wait 2 = patience): stop after epoch 3.
    (dict(patience=2), [1.0, 0.9, 0.95, 0.92, 0.85, 0.9], 4, 3),
    # patience 0: the first epoch that does not improve stops training.
    (dict(patience=0), [1.0, 0.8, 0.81, 0.5], 3, 2),
    # 0.95 is not better than 1.0 by more than min_delta=0.06.
    (dict(patience=1, min_delta=0.06), [1.0, 0.95, 0.93, 0.8], 2, 1),
    # a negative min_delta counts by its size, as in Keras.
    (dict(patience=1, min_delta=-0.06), [1.0, 0.95, 0.93, 0.8], 2, 1),
    # epochs 0 and 1 are ignored; 3.0 is the first best, 3.5 stops.
    (dict(patience=0, start_from_epoch=2), [5.0, 6.0, 3.0, 3.5, 2.0], 4, 3),
    # never stops while improving.
    (dict(patience=0), [5.0, 4.0, 3.0, 2.0], 4, 0),
])
def test_stop_epoch_matches_hand_computed(kwargs, values, epochs_run, stopped_epoch):
    model = linear_model()
    stop = EarlyStopping(**kwargs)
    assert drive(stop, model, _val_loss(values)) == epochs_run
    assert stop.stopped_epoch == stopped_epoch


def test_max_mode_with_baseline():
    # baseline 0.5 is beaten only at epoch 3; until then the wait counter keeps growing:
    # e0 w1, e1 w2, e2 w3 (improvements, but below the baseline), e3 0.6 > 0.5: w0,
    # e4 0.55 w1, e5 0.58 w2 = patience: stop.
    model = linear_model()
    stop = EarlyStopping(monitor="val_acc", mode="max", baseline=0.5, patience=2)
    logs = [{"val_acc": v} for v in [0.3, 0.4, 0.45, 0.6, 0.55, 0.58, 0.59]]
    assert drive(stop, model, logs) == 6
    assert stop.best == 0.6 and stop.best_epoch == 3


@pytest.mark.parametrize("monitor, direction", [
    ("val_loss", "min"), ("loss", "min"), ("val_accuracy", "max"), ("auc", "max"),
    ("val_precision", "max"), ("recall", "max"), ("f1_score", "max"), ("mean_iou", "max"),
    ("val_mean_absolute_error", "min"), ("mse", "min"), ("categorical_crossentropy", "min"),
    ("val_output_a_loss", "min"), ("r2_score", "max"),
])
def test_auto_mode_infers_direction(monitor, direction):
    stop = EarlyStopping(monitor=monitor)
    stop.set_model(linear_model())
    assert stop.direction == direction


def test_auto_mode_uses_the_class_of_a_named_metric():
    import keraslite

    model = linear_model(metrics=[keraslite.metrics.BinaryAccuracy(name="hits")])
    x, y = linear_data(8)
    model.evaluate(x, y, verbose=0)  # builds the compiled metrics
    stop = EarlyStopping(monitor="val_hits")
    stop.set_model(model)
    assert stop.direction == "max"


def test_auto_mode_refuses_an_unknown_name():
    stop = EarlyStopping(monitor="val_zorp")
    stop.set_model(linear_model())
    with pytest.raises(ValueError, match=r"EarlyStopping.*val_zorp.*mode='max'"):
        drive(stop, stop.model, [{"val_zorp": 1.0}])
    assert EarlyStopping(monitor="val_zorp", mode="max").mode == "max"


def test_missing_metric_warns_and_does_not_stop():
    model = linear_model()
    stop = EarlyStopping(monitor="val_accuracy", patience=0)
    with pytest.warns(UserWarning, match=r"val_accuracy.*Available: loss"):
        assert drive(stop, model, [{"loss": 1.0}] * 3) == 3


def test_real_fit_stops_at_hand_computed_epoch():
    # Loss values fed through fit's own epoch logs: best 3.0 at epoch 2, then 3.1, 3.2 stop.
    x, y = linear_data()
    model = linear_model()
    stop = EarlyStopping(monitor="score", mode="min", patience=2)
    history = model.fit(x, y, epochs=8, batch_size=8, verbose=0,
                        callbacks=[inject("score", [5, 4, 3, 3.1, 3.2, 1, 1, 1]), stop])
    assert history.epoch == [0, 1, 2, 3, 4]
    assert stop.stopped_epoch == 4 and stop.best_epoch == 2


def test_real_fit_on_val_loss_stops_when_validation_gets_worse():
    # Targets the model cannot fit on the validation side: val_loss rises while loss falls.
    x, y = linear_data(32)
    model = linear_model(learning_rate=0.1)
    stop = EarlyStopping(patience=1)
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0,
                        validation_data=(x[:8], -y[:8]), callbacks=[stop])
    val = history.history["val_loss"]
    # The last epoch is the second one in a row without a new best (patience=1).
    assert len(val) < 30
    best = min(val[:-1])
    assert val[-1] >= best and stop.stopped_epoch == len(val) - 1


@pytest.mark.parametrize("stops_early", [True, False])
def test_restore_best_weights_restores_the_best_epochs_weights(stops_early):
    x, y = linear_data()
    model = linear_model()
    seen = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    scores = [4.0, 2.0, 3.0, 3.5, 5.0] if stops_early else [4.0, 2.0, 3.0, 2.5, 2.2]
    stop = EarlyStopping(monitor="score", mode="min", patience=2 if stops_early else 5,
                         restore_best_weights=True)
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0,
                        callbacks=[inject("score", scores), record, stop])
    assert len(history.epoch) == (4 if stops_early else 5)
    assert stop.stopped_epoch == (3 if stops_early else 0)
    assert stop.best_epoch == 1
    for got, expected in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(got, expected)
    assert not np.allclose(seen[1][0], seen[-1][0])  # training did move the weights


def test_verbose_messages(capsys):
    model = linear_model()
    stop = EarlyStopping(patience=0, verbose=1, restore_best_weights=True)
    drive(stop, model, _val_loss([1.0, 2.0]))
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


def test_state_round_trip_continues_counting():
    model = linear_model()
    first = EarlyStopping(patience=2, restore_best_weights=True)
    drive(first, model, _val_loss([1.0, 0.5, 0.7]))  # best 0.5 at epoch 1, wait 1
    state = first.get_state()
    weights = state.pop("best_weights")
    assert json.loads(json.dumps(state)) == state
    assert state == {"wait": 1, "stopped_epoch": 0, "best": 0.5, "best_epoch": 1}
    assert len(weights) == 2 and all(isinstance(w, np.ndarray) for w in weights)
    resumed = EarlyStopping(patience=2, restore_best_weights=True)
    resumed.set_state(dict(state, best_weights=weights))
    resumed.set_model(model)
    resumed.on_train_begin()  # a restored state survives the start of the resumed fit
    resumed.on_epoch_end(3, {"val_loss": 0.8})
    assert model.stop_training and resumed.stopped_epoch == 3
    assert EarlyStopping().get_state()["best_weights"] is None


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(patience=-1), ValueError, r"EarlyStopping: `patience` must be an integer >= 0. "
                                    r"Received: patience=-1"),
    (dict(patience=1.5), TypeError, r"EarlyStopping: `patience`.*Received: patience=1.5"),
    (dict(mode="biggest"), ValueError, r"EarlyStopping: `mode` must be one of 'auto', 'min', "
                                       r"'max'. Received: mode='biggest'"),
    (dict(start_from_epoch=-2), ValueError, r"EarlyStopping: `start_from_epoch`.*-2"),
    (dict(baseline="high"), TypeError, r"EarlyStopping: `baseline` must be a number or None"),
    (dict(min_delta=None), TypeError, r"EarlyStopping: `min_delta` must be a number"),
    (dict(monitor=3), TypeError, r"EarlyStopping: `monitor` must be the name"),
])
def test_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        EarlyStopping(**kwargs)


def test_no_warning_when_metric_present():
    model = linear_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drive(EarlyStopping(), model, _val_loss([1.0, 0.5]))
