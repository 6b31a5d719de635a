"""The backend's own autodiff used directly on keraslite Variables, as Keras's examples do.

On TensorFlow that is ``tf.GradientTape``: a trainable Variable read inside the tape is watched,
``tape.gradient(loss, variables)`` returns gradients in order, and a custom ``train_step`` built
on it runs compiled inside ``fit``. JAX has no tape: its documented equivalent is ``jax.grad`` of
a ``stateless_call`` (values in, outputs out), so on JAX the same tests run that pattern. Every
result is checked against an independent reference: a NumPy closed form, or the same step
written with ``keraslite.backend.compute_gradients``.
"""
import numpy as np
import pytest

import keraslite
from keraslite import layers, ops, optimizers
from keraslite.backend import compute_gradients

BACKEND = keraslite.backend.backend()
if BACKEND == "tensorflow":
    import tensorflow as tf
else:
    import jax

X = np.random.RandomState(1).rand(64, 3).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [2.0]], "float32") + 0.5).astype("float32")


def _mse_grads(x, y, kernel, bias):
    """d/dK and d/db of mean((xK + b - y)^2), in closed form."""
    err = x @ kernel + bias - y
    scale = 2.0 / err.size
    return scale * x.T @ err, scale * err.sum(axis=0)


class BackendGradStep(keraslite.Model):
    """Keras's custom-step example: the backend's own autodiff, then ``apply_gradients``."""

    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(4, activation="tanh")
        self.out = layers.Dense(1)
        self.loss_tracker = keraslite.metrics.Mean(name="loss")

    def call(self, x):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        if BACKEND == "tensorflow":
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = tf.reduce_mean(tf.square(y_pred - y))
            grads = tape.gradient(loss, self.trainable_weights)
        else:
            non_trainable = [v.value for v in self.non_trainable_variables]

            def loss_of(trainable):
                y_pred, _ = self.stateless_call(trainable, non_trainable, x, training=True)
                return jax.numpy.mean(jax.numpy.square(y_pred - y))

            loss, grads = jax.value_and_grad(loss_of)([v.value for v in self.trainable_weights])
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}

    @property
    def metrics(self):
        return [self.loss_tracker]


class ComputeGradientsStep(BackendGradStep):
    """The reference: the same step through keraslite's backend-neutral gradient API."""

    def train_step(self, data):
        x, y = data

        def loss_fn():
            return ops.mean(ops.square(self(x, training=True) - y))

        loss, grads = compute_gradients(loss_fn, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}


def _built(cls):
    model = cls()
    model.build((None, 3))
    return model


def test_backend_autodiff_train_step_runs_in_fit_like_compute_gradients():
    """TF: GradientTape + apply_gradients inside the compiled step. JAX: jax.value_and_grad of
    stateless_call there. Both must train exactly like the compute_gradients step."""
    model = _built(BackendGradStep)
    reference = _built(ComputeGradientsStep)
    reference.set_weights(model.get_weights())
    model.compile(optimizer=optimizers.Adam(0.05))
    reference.compile(optimizer=optimizers.Adam(0.05))
    history = model.fit(X, Y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    expected = reference.fit(X, Y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_allclose(losses, expected.history["loss"], rtol=1e-4)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    # The step really moved the weights the optimizer holds slots for.
    assert int(model.optimizer.iterations.numpy()) == 4 * 4


def _eager_grads(dense, x, y, extra):
    """Gradients of the dense layer's MSE w.r.t. [kernel, bias, extra], computed eagerly by
    the backend's own autodiff (``extra`` is not used by the loss)."""
    if BACKEND == "tensorflow":
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(dense(x) - y))
        return tape.gradient(loss, [dense.kernel, dense.bias, extra])

    def loss_of(values):
        out, _ = dense.stateless_call(values[:2], [], x)
        return jax.numpy.mean(jax.numpy.square(out - y))

    return jax.grad(loss_of)([dense.kernel.value, dense.bias.value, extra.value])


def test_eager_gradients_of_a_dense_layer_match_numpy():
    dense = layers.Dense(1)
    dense(X[:1])
    extra = keraslite.Variable(np.ones((2,), "float32"), name="unused")
    grads = _eager_grads(dense, X, Y, extra)
    want_k, want_b = _mse_grads(X, Y, dense.kernel.numpy(), dense.bias.numpy())
    np.testing.assert_allclose(np.asarray(grads[0]), want_k, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(grads[1]), want_b, rtol=1e-5, atol=1e-6)
    if BACKEND == "tensorflow":
        assert grads[2] is None  # like a tf.Variable the loss never read
    else:
        np.testing.assert_array_equal(np.asarray(grads[2]), 0.0)  # jax.grad: a zero cotangent


def test_eager_apply_gradients_updates_the_variables_like_sgd():
    dense = layers.Dense(1)
    dense(X[:1])
    kernel, bias = dense.kernel.numpy(), dense.bias.numpy()
    extra = keraslite.Variable(np.ones((2,), "float32"))
    grads = _eager_grads(dense, X, Y, extra)[:2]
    optimizer = optimizers.SGD(0.1)
    optimizer.apply_gradients(zip(grads, [dense.kernel, dense.bias]))
    want_k, want_b = _mse_grads(X, Y, kernel, bias)
    np.testing.assert_allclose(dense.kernel.numpy(), kernel - 0.1 * want_k, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dense.bias.numpy(), bias - 0.1 * want_b, rtol=1e-5, atol=1e-6)


def test_explicit_watch_and_non_trainable_variables():
    """TF: ``tape.watch(variable)`` works with ``watch_accessed_variables=False`` and a
    non-trainable Variable is not watched on its own (as with tf.Variable). JAX: the
    equivalent is choosing the differentiated values explicitly with jax.grad."""
    w = keraslite.Variable(np.array([1.0, 2.0, 3.0], "float32"), name="w")
    frozen = keraslite.Variable(np.array([0.5, 0.5, 0.5], "float32"), trainable=False)
    if BACKEND == "tensorflow":
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(w)
            loss = tf.reduce_sum(w * w * frozen)
        grad_w, grad_frozen = tape.gradient(loss, [w, frozen])
        assert grad_frozen is None
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w * frozen)
        assert tape.gradient(loss, frozen) is None
        assert [v.name for v in tape.watched_variables()] == ["w"]
    else:
        grad_w = jax.grad(lambda value: jax.numpy.sum(value * value * frozen.value))(w.value)
    np.testing.assert_allclose(np.asarray(grad_w), [1.0, 2.0, 3.0])  # d/dw = 2 w * 0.5


def test_gradient_through_an_autocast_read():
    """A float32 Variable read as float16 inside a mixed-precision layer: the tape records the
    cast, so the gradient still reaches the float32 variable."""
    dense = layers.Dense(1, dtype="mixed_float16")
    dense(X[:1])
    assert dense.kernel.dtype == "float32"
    extra = keraslite.Variable(np.ones((2,), "float32"))
    grads = _eager_grads(dense, X, ops.cast(Y, "float16"), extra)
    want_k, _ = _mse_grads(X, Y, dense.kernel.numpy(), dense.bias.numpy())
    assert keraslite.backend.standardize_dtype(grads[0].dtype) == "float32"
    np.testing.assert_allclose(np.asarray(grads[0]), want_k, rtol=2e-2, atol=2e-3)


def test_model_with_a_tape_step_still_predicts_and_evaluates_consistently():
    model = _built(BackendGradStep)
    model.compile(optimizer=optimizers.SGD(0.1))
    model.fit(X, Y, batch_size=32, epochs=1, verbose=0)
    kernel0 = model.get_weights()[0]
    hidden = np.tanh(X @ kernel0 + model.get_weights()[1])
    want = hidden @ model.get_weights()[2] + model.get_weights()[3]
    np.testing.assert_allclose(np.asarray(model.predict(X, verbose=0)), want, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("persistent", [False, True])
def test_several_gradients_from_one_recording(persistent):
    """TF: a persistent tape answers twice. JAX: two jax.grad calls of the same function."""
    w = keraslite.Variable(np.array([2.0, -1.0], "float32"))
    if BACKEND == "tensorflow":
        with tf.GradientTape(persistent=persistent) as tape:
            square = tf.reduce_sum(w * w)
            cube = tf.reduce_sum(w * w * w)
        first = tape.gradient(square, w)
        second = tape.gradient(cube, w) if persistent else None
    else:
        first = jax.grad(lambda v: jax.numpy.sum(v * v))(w.value)
        second = jax.grad(lambda v: jax.numpy.sum(v * v * v))(w.value) if persistent else None
    np.testing.assert_allclose(np.asarray(first), [4.0, -2.0])
    if persistent:
        np.testing.assert_allclose(np.asarray(second), [12.0, 3.0])
