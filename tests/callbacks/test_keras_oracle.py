"""EarlyStopping, ReduceLROnPlateau and CSVLogger fed the same synthetic logs as Keras 3 (run
once, in a subprocess with Keras's JAX backend, so the check runs in both backends' passes)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from callback_test_helper import drive, linear_model
from keraslite.callbacks import CallbackList, CSVLogger, EarlyStopping, ReduceLROnPlateau

EARLY_STOPPING_CASES = [
    (dict(patience=2), "val_loss", [1.0, 0.9, 0.95, 0.92, 0.85, 0.9, 0.91]),
    (dict(patience=0), "val_loss", [1.0, 0.8, 0.81, 0.5]),
    (dict(patience=1, min_delta=0.06), "val_loss", [1.0, 0.95, 0.93, 0.8, 0.7]),
    (dict(patience=2, mode="max", baseline=0.5), "val_acc",
     [0.3, 0.4, 0.45, 0.6, 0.55, 0.58, 0.59]),
    (dict(patience=3, mode="max", baseline=0.9), "val_acc", [0.3, 0.4, 0.45, 0.6, 0.7, 0.8]),
    (dict(patience=0, start_from_epoch=2), "val_loss", [5.0, 6.0, 3.0, 3.5, 2.0]),
    (dict(patience=1, mode="min", min_delta=0.2), "score", [5.0, 4.9, 4.5, 4.4, 4.35, 4.0]),
]
REDUCE_CASES = [
    (dict(factor=0.5, patience=2), "val_loss", [1.0, 0.9, 0.9, 0.9, 0.8, 0.85, 0.86, 0.87]),
    (dict(factor=0.5, patience=1, cooldown=2, min_lr=0.03), "val_loss", [1.0] * 8),
    (dict(factor=0.2, patience=0, mode="max", min_delta=0.05), "val_acc",
     [0.5, 0.52, 0.6, 0.61, 0.7, 0.71, 0.72]),
    (dict(factor=0.1, patience=1, cooldown=1, min_delta=0.0), "loss",
     [3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]),
]
CSV_EPOCHS = [
    [{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.125, "accuracy": 0.75}],
    [{"loss": 0.5, "val_loss": 1.5, "mae": 0.1}, {"loss": 0.25, "val_loss": 1.25, "mae": 0.2}],
]

ORACLE = r"""
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
import keras

cases = json.loads(open(sys.argv[1]).read())
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
out = {"early": [], "reduce": [], "csv": []}

def run(callback, monitor, values, on_begin=None):
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    rates, epochs = [], 0
    for epoch, value in enumerate(values):
        rates.append(float(model.optimizer.learning_rate.numpy()))
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {monitor: value})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end({})
    rates.append(float(model.optimizer.learning_rate.numpy()))
    return epochs, rates

for kwargs, monitor, values in cases["early"]:
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    stop = keras.callbacks.EarlyStopping(monitor=monitor, **kwargs)
    epochs, _ = run(stop, monitor, values)
    out["early"].append([epochs, stop.stopped_epoch])
for kwargs, monitor, values in cases["reduce"]:
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    _, rates = run(keras.callbacks.ReduceLROnPlateau(monitor=monitor, **kwargs), monitor, values)
    out["reduce"].append(rates)
for index, epochs in enumerate(cases["csv"]):
    path = os.path.join(cases["dir"], f"keras{index}.csv")
    for append in (False, True):
        logger = keras.callbacks.CSVLogger(path, append=append)
        logger.set_model(model)
        logger.on_train_begin()
        for epoch, logs in enumerate(epochs):
            logger.on_epoch_end(epoch, dict(logs))
        logger.on_train_end()
    out["csv"].append(open(path, newline="").read())
print("ORACLE" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def keras_results(tmp_path_factory):
    pytest.importorskip("keras")
    directory = tmp_path_factory.mktemp("keras_oracle")
    cases = {"early": EARLY_STOPPING_CASES, "reduce": REDUCE_CASES, "csv": CSV_EPOCHS,
             "dir": str(directory)}
    (directory / "cases.json").write_text(json.dumps(cases))
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    env.pop("KERASLITE_BACKEND", None)
    result = subprocess.run([sys.executable, "-c", ORACLE, str(directory / "cases.json")],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("ORACLE")][-1]
    return json.loads(line[len("ORACLE"):]), directory


@pytest.mark.parametrize("index", range(len(EARLY_STOPPING_CASES)))
def test_early_stopping_stops_where_keras_does(keras_results, index):
    kwargs, monitor, values = EARLY_STOPPING_CASES[index]
    stop = EarlyStopping(monitor=monitor, **kwargs)
    epochs = drive(stop, linear_model(), [{monitor: v} for v in values])
    assert [epochs, stop.stopped_epoch] == keras_results[0]["early"][index]


@pytest.mark.parametrize("index", range(len(REDUCE_CASES)))
def test_reduce_lr_on_plateau_matches_keras_rates(keras_results, index):
    kwargs, monitor, values = REDUCE_CASES[index]
    model = linear_model(learning_rate=0.1)
    reduce = ReduceLROnPlateau(monitor=monitor, **kwargs)
    callbacks = CallbackList([reduce], model=model)
    callbacks.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        rates.append(float(model.optimizer.learning_rate))
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, {monitor: value})
    callbacks.on_train_end()
    rates.append(float(model.optimizer.learning_rate))
    np.testing.assert_allclose(rates, keras_results[0]["reduce"][index], rtol=1e-6)


@pytest.mark.parametrize("index", range(len(CSV_EPOCHS)))
def test_csv_logger_writes_what_keras_writes(keras_results, index, tmp_path):
    path = tmp_path / "ours.csv"
    for append in (False, True):
        logger = CSVLogger(path, append=append)
        logger.on_train_begin()
        for epoch, logs in enumerate(CSV_EPOCHS[index]):
            logger.on_epoch_end(epoch, dict(logs))
        logger.on_train_end()
    with open(path, newline="") as f:
        assert f.read() == keras_results[0]["csv"][index]
