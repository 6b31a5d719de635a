"""Small models, data and drivers shared by the callback tests."""
import numpy as np

import keraslite
from keraslite.callbacks import CallbackList, LambdaCallback

TRUE_W = np.array([[1.0], [-2.0], [0.5]], "float32")


def linear_data(n=24, seed=0):
    """Inputs (n, 3) and targets of a noiseless linear function."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ TRUE_W + 0.3).astype("float32")


def linear_model(learning_rate=0.05, metrics=None, seed=0):
    """A compiled Dense(1) regression model with SGD (not yet trained)."""
    keraslite.utils.set_random_seed(seed)
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
    model.compile(optimizer=keraslite.optimizers.SGD(learning_rate), loss="mse",
                  metrics=metrics)
    return model


def inject(name, values):
    """A LambdaCallback that puts ``values[epoch]`` into the epoch logs as ``name``.

    Placed before the callback under test, it feeds a known sequence through a real ``fit``
    (the epoch logs dict is shared by the callbacks of one event)."""
    def put(epoch, logs):
        logs[name] = float(values[epoch])
    return LambdaCallback(on_epoch_end=put)


def drive(callback, model, logs_per_epoch):
    """Runs the epoch hooks of ``callback`` over synthetic logs like ``fit`` would; returns the
    number of epochs run (training stops after an epoch that sets ``stop_training``)."""
    callbacks = CallbackList([callback], model=model, verbose=0,
                             epochs=len(logs_per_epoch), steps=1)
    model.stop_training = False
    callbacks.on_train_begin()
    epochs = 0
    last = {}
    for epoch, logs in enumerate(logs_per_epoch):
        callbacks.on_epoch_begin(epoch)
        last = dict(logs)
        callbacks.on_epoch_end(epoch, last)
        epochs += 1
        if model.stop_training:
            break
    callbacks.on_train_end(last)
    return epochs
