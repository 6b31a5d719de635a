"""Custom train_step with the backend-neutral gradient API, and stateless_call."""
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import layers, ops, optimizers
from keraslite.backend import compute_gradients

REPO = pathlib.Path(__file__).resolve().parents[2]
X = np.random.RandomState(1).rand(64, 3).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [2.0]], "float32")).astype("float32")


class HandWritten(keraslite.Model):
    """The default training step written out by hand, the way a user would."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data

        def loss_fn():
            return ops.mean(ops.square(self(x, training=True) - y))

        loss, grads = compute_gradients(loss_fn, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.tracker.update_state(loss)
        return {"loss": self.tracker.result()}

    @property
    def metrics(self):
        return [self.tracker]


def test_custom_train_step_matches_the_built_in_step():
    keraslite.utils.set_random_seed(0)
    custom = HandWritten()
    custom.tracker = keraslite.metrics.Mean(name="loss")
    custom.compile(optimizer=optimizers.SGD(0.1))
    custom.build((None, 3))
    reference = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    reference.set_weights(custom.get_weights())
    reference.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    h1 = custom.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    h2 = reference.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(custom.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)


class TwoOptimizers(keraslite.Model):
    def __init__(self):
        super().__init__()
        self.first = layers.Dense(4)
        self.second = layers.Dense(1)

    def call(self, x):
        return self.second(self.first(x))

    def compile(self, first_optimizer, second_optimizer):
        super().compile()
        self.first_optimizer = first_optimizer
        self.second_optimizer = second_optimizer

    def train_step(self, data):
        x, y = data

        def loss_fn():
            return ops.mean(ops.square(self(x, training=True) - y))

        for optimizer, layer in ((self.first_optimizer, self.first),
                                 (self.second_optimizer, self.second)):
            loss, grads = compute_gradients(loss_fn, layer.trainable_variables)
            optimizer.apply(grads, layer.trainable_variables)
        return {"loss": loss}


def test_two_optimizers_each_update_their_own_layer():
    model = TwoOptimizers()
    model.compile(optimizers.SGD(0.0), optimizers.Adam(0.05))
    model.build((None, 3))
    before = model.get_weights()
    history = model.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])  # learning rate 0: untouched
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.allclose(before[2], after[2])
    assert int(model.second_optimizer.iterations.numpy()) == 8  # 4 steps x 2 epochs
    assert np.isfinite(history.history["loss"]).all()


def test_compute_gradients_matches_numpy_and_keeps_side_effects():
    dense = layers.Dense(2)
    bn = layers.BatchNormalization(momentum=0.0)
    x = np.random.rand(5, 3).astype("float32")
    dense(x)
    bn(dense(x))

    def loss_fn():
        return ops.sum(bn(dense(x), training=True))

    loss, grads = compute_gradients(loss_fn, dense.trainable_variables)
    # Batch-normalized outputs sum to the number of rows times beta (zero), so the loss is ~0
    # and its gradient with respect to the dense weights vanishes; the moving mean is updated.
    assert abs(float(loss)) < 1e-4
    for g in grads:
        np.testing.assert_allclose(ops.convert_to_numpy(g), 0.0, atol=1e-4)
    k, b = dense.get_weights()
    np.testing.assert_allclose(bn.moving_mean.numpy(), (x @ k + b).mean(0), rtol=1e-5)

    def square_loss():
        return ops.sum(ops.square(dense(x)))

    _, (gk, gb) = compute_gradients(square_loss, dense.trainable_variables)
    out = x @ k + b
    np.testing.assert_allclose(ops.convert_to_numpy(gk), x.T @ (2 * out), rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(gb), (2 * out).sum(0), rtol=1e-5)


def test_stateless_call_is_pure():
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2),
                                  layers.BatchNormalization(momentum=0.5)])
    tv = [v.value for v in model.trainable_variables]
    ntv = [v.value for v in model.non_trainable_variables]
    new_tv = [ops.zeros_like(v) for v in tv]
    out, new_ntv = model.stateless_call(new_tv, ntv, X[:4], training=True)
    np.testing.assert_allclose(ops.convert_to_numpy(out), 0.0, atol=1e-6)  # zero weights
    # Moving statistics move in the returned values only.
    np.testing.assert_allclose(ops.convert_to_numpy(new_ntv[1]), 0.5, rtol=1e-6)  # variance
    np.testing.assert_allclose(model.non_trainable_variables[1].numpy(), 1.0)
    with pytest.raises(ValueError, match="expects 4 trainable"):
        model.stateless_call(tv[:1], ntv, X[:4])


def test_gan_example_runs_quick():
    pytest.importorskip("sklearn")
    env = {**os.environ, "KERASLITE_BACKEND": keraslite.backend.backend(),
           "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, str(REPO / "examples" / "gan_digits.py"), "--quick"],
                            env=env, capture_output=True, text=True, timeout=600,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-3000:]
    losses = [float(v) for v in re.findall(r"final [dg]_loss: ([0-9.]+)", result.stdout)]
    assert len(losses) == 2 and all(np.isfinite(losses))
