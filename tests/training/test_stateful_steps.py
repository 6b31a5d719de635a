"""Keras's JAX-style ``train_step(state, data)`` / ``test_step`` / ``predict_step`` in ``fit``,
``evaluate`` and ``predict`` (the form of Keras's guide to custom steps in JAX)."""
import numpy as np
import pytest

import keraslite as keras
from keraslite import ops


def _data(n=64, features=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ rng.normal(size=(features, 1)) + 0.3).astype("float32")
    return x, y


def _linear(cls, features=5):
    inputs = keras.Input((features,))
    model = cls(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    return model


def _stateless_metrics(model, metric_vars, loss, y, y_pred):
    """The metric loop of Keras's guide to custom steps in JAX: each metric of ``model.metrics``
    updated from its slice of ``metric_vars``; returns the logs and the new values."""
    logs, new_metric_vars = {}, []
    for metric in model.metrics:
        mine = metric_vars[len(new_metric_vars):len(new_metric_vars) + len(metric.variables)]
        if metric.name == "loss":
            mine = metric.stateless_update_state(mine, loss)
        else:
            mine = metric.stateless_update_state(mine, y, y_pred)
        logs[metric.name] = metric.stateless_result(mine)
        new_metric_vars += mine
    return logs, new_metric_vars


class ClosedFormStep(keras.Model):
    """A stateful train step with the MSE gradient of a linear model written out (no autodiff),
    so it runs on both backends; metrics updated statelessly in Keras's guide's loop."""

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metric_vars = state
        x, y = data
        kernel, bias = trainable
        y_pred = ops.matmul(x, kernel) + bias
        error = y_pred - y
        n = ops.cast(ops.shape(x)[0], "float32")
        grads = [2.0 * ops.matmul(ops.transpose(x), error) / n, 2.0 * ops.sum(error, axis=0) / n]
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads,
                                                                   trainable)
        loss = ops.mean(error ** 2)
        logs, new_metric_vars = _stateless_metrics(self, metric_vars, loss, y, y_pred)
        return logs, (trainable, non_trainable, optimizer_vars, new_metric_vars)

    def test_step(self, state, data):
        trainable, non_trainable, metric_vars = state
        x, y = data
        y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x)
        loss = self.compute_loss(x, y, y_pred)
        tracker = self.metrics[0]
        mine = tracker.stateless_update_state(metric_vars[:len(tracker.variables)], loss)
        rest = metric_vars[len(tracker.variables):]
        return {"loss": tracker.stateless_result(mine)}, (trainable, non_trainable, mine + rest)

    def predict_step(self, state, data):
        trainable, non_trainable = state
        x = data[0] if isinstance(data, tuple) else data
        y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x)
        return 2.0 * y_pred, non_trainable


def test_stateful_train_step_matches_numpy_sgd():
    x, y = _data()
    model = _linear(ClosedFormStep)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)

    w, b = np.zeros((5, 1), np.float32), np.zeros((1,), np.float32)
    epoch_losses = []
    for _ in range(3):
        losses = []
        for i in range(0, 64, 16):
            xb, yb = x[i:i + 16], y[i:i + 16]
            err = xb @ w + b - yb
            losses.append(np.mean(err ** 2))
            w, b = w - 0.1 * 2 * xb.T @ err / 16, b - 0.1 * 2 * err.sum(0) / 16
        epoch_losses.append(np.mean(losses))
    np.testing.assert_allclose(model.layers[-1].kernel.numpy(), w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(history.history["loss"], epoch_losses, rtol=1e-4)
    assert len(history.history["mean_absolute_error" if "mean_absolute_error"
                               in history.history else "mae"]) == 3
    assert int(model.optimizer.iterations.numpy()) == 12


def test_stateful_test_and_predict_steps():
    x, y = _data(seed=1)
    model = _linear(ClosedFormStep)
    model.compile(optimizer="sgd", loss="mse")
    model.layers[-1].kernel.assign(np.ones((5, 1), np.float32))
    expected = x @ np.ones((5, 1), np.float32)
    result = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    np.testing.assert_allclose(result["loss"], np.mean((expected - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(model.predict(x, batch_size=16, verbose=0), 2 * expected,
                               rtol=1e-5, atol=1e-5)


class WrongState(keras.Model):
    def train_step(self, state, data):
        return {}, state[:2]


def test_a_state_of_the_wrong_shape_is_named():
    x, y = _data()
    model = _linear(WrongState)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"train_step must return a state of 4 parts"):
        model.fit(x, y, epochs=1, verbose=0)
    assert np.all(model.layers[-1].kernel.numpy() == 0)


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="the step uses jax.value_and_grad")
def test_keras_jax_guide_step_trains_like_the_default_step():
    """The step of Keras's guide to custom steps in JAX, written with jax.value_and_grad,
    gives the losses and weights of the default train_step on the same model and data."""
    import jax

    class GuideModel(keras.Model):
        def compute_loss_and_updates(self, trainable, non_trainable, x, y, training=False):
            y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x,
                                                        training=training)
            return self.compute_loss(x, y, y_pred), (y_pred, non_trainable)

        def train_step(self, state, data):
            trainable, non_trainable, optimizer_vars, metric_vars = state
            x, y = data
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable)), grads = grad_fn(trainable, non_trainable, x, y,
                                                             training=True)
            trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads,
                                                                       trainable)
            logs, new_metric_vars = _stateless_metrics(self, metric_vars, loss, y, y_pred)
            return logs, (trainable, non_trainable, optimizer_vars, new_metric_vars)

    x, y = _data(seed=2)
    histories, kernels = [], []
    for cls in (GuideModel, keras.Model):
        keras.utils.set_random_seed(3)
        inputs = keras.Input((5,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        model = cls(inputs, keras.layers.Dense(1)(hidden))
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        histories.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   verbose=0).history)
        kernels.append(model.layers[-1].kernel.numpy())
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=1e-5)
    np.testing.assert_allclose(kernels[0], kernels[1], rtol=1e-5, atol=1e-6)
