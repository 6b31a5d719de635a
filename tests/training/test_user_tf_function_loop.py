"""A training loop written by hand in a ``tf.function`` (Keras's guide to training loops from
scratch in TensorFlow): variables read and assigned inside the user's graph keep their values
between calls and after it, and fit/predict go on from them. TensorFlow only: tf.function is
TensorFlow's."""
import numpy as np
import pytest

import keraslite as keras

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="tf.function and tf.GradientTape are TensorFlow's")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.25).astype("float32")
    return x, y


def _numpy_sgd(x, y, lr, steps, batch):
    w, b = np.zeros((3, 1), np.float32), np.zeros((1,), np.float32)
    for step in range(steps):
        xb, yb = x[step * batch % len(x):][:batch], y[step * batch % len(x):][:batch]
        err = xb @ w + b - yb
        w, b = w - lr * 2 * xb.T @ err / len(xb), b - lr * 2 * err.sum(0) / len(xb)
    return w, b


def test_tf_function_train_step_updates_weights_and_metrics_like_numpy():
    import tensorflow as tf

    x, y = _data()
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(1, kernel_initializer="zeros")])
    optimizer = keras.optimizers.SGD(0.05)
    loss_fn = keras.losses.MeanSquaredError()
    metric = keras.metrics.MeanAbsoluteError()

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            loss = loss_fn(yb, pred)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        metric.update_state(yb, pred)
        return loss

    for step in range(8):
        i = step * 16 % len(x)
        train_step(tf.constant(x[i:i + 16]), tf.constant(y[i:i + 16]))
    w, b = _numpy_sgd(x, y, 0.05, 8, 16)
    kernel, bias = model.layers[-1].kernel, model.layers[-1].bias
    np.testing.assert_allclose(kernel.numpy(), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias.numpy(), b, rtol=1e-5, atol=1e-6)
    assert int(optimizer.iterations.numpy()) == 8
    assert float(metric.result()) > 0
    metric.reset_state()
    assert float(metric.result()) == 0.0

    # Eager use after the graph: gradients, predict and fit continue from the same weights.
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x))
    grads = tape.gradient(loss, model.trainable_weights)
    err = x @ w + b - y
    np.testing.assert_allclose(grads[0].numpy(), 2 * x.T @ err / len(x), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ w + b, rtol=1e-5, atol=1e-5)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    # The traced step goes on from fit's weights (not values captured when it was traced).
    w, b = kernel.numpy().copy(), bias.numpy().copy()
    train_step(tf.constant(x[:16]), tf.constant(y[:16]))
    err = x[:16] @ w + b - y[:16]
    np.testing.assert_allclose(kernel.numpy(), w - 0.05 * 2 * x[:16].T @ err / 16,
                               rtol=1e-5, atol=1e-6)
