"""A user's test_step override runs inside evaluate and fit's validation, on both backends."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, metrics, ops

RNG = np.random.RandomState(3)
X = RNG.rand(50, 3).astype("float32")
Y = RNG.rand(50, 1).astype("float32")


class AbsErrorEvaluator(keraslite.Model):
    """Trains with the default step; evaluates with its own metric (mean absolute error)."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.abs_error = metrics.Mean(name="abs_error")

    def call(self, x):
        return self.dense(x)

    def test_step(self, data):
        x, y = data
        self.abs_error.update_state(ops.abs(self(x, training=False) - y))
        return {"abs_error": self.abs_error.result()}


def numpy_abs_error(model, x, y):
    kernel, bias = model.dense.get_weights()
    return float(np.mean(np.abs(x @ kernel + bias - y)))


def test_evaluate_runs_the_override_over_every_batch():
    model = AbsErrorEvaluator()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=1, batch_size=10, verbose=0)
    weights = model.get_weights()
    logs = model.evaluate(X, Y, batch_size=10, return_dict=True, verbose=0)
    assert set(logs) == {"abs_error"}
    np.testing.assert_allclose(logs["abs_error"], numpy_abs_error(model, X, Y), rtol=1e-5)
    # A second evaluate starts from reset metric state, and evaluate never changes weights.
    again = model.evaluate(X, Y, batch_size=25, return_dict=True, verbose=0)
    np.testing.assert_allclose(again["abs_error"], logs["abs_error"], rtol=1e-5)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_fit_validation_uses_the_override():
    model = AbsErrorEvaluator()
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    record = keraslite.callbacks.Callback()
    record.on_epoch_end = lambda epoch, logs=None: seen.append(
        (logs["val_abs_error"], numpy_abs_error(model, X[40:], Y[40:])))
    history = model.fit(X[:40], Y[:40], validation_data=(X[40:], Y[40:]), epochs=3,
                        batch_size=8, verbose=0, callbacks=[record])
    assert "loss" in history.history and len(history.history["val_abs_error"]) == 3
    for reported, expected in seen:
        np.testing.assert_allclose(reported, expected, rtol=1e-5)


def test_default_test_step_matches_evaluate():
    """Calling the default test_step by hand gives what evaluate reports on one batch."""
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.evaluate(X, Y, batch_size=50, verbose=0)
    expected = model.evaluate(X, Y, batch_size=50, return_dict=True, verbose=0)
    model.reset_metrics()
    logs = model.test_step((X, Y))
    for name in ("loss", "mae"):
        np.testing.assert_allclose(float(np.asarray(logs[name])), expected[name], rtol=1e-5)
