"""Keras 3's Model members for hand-written loops and state: make_*_function, get/set_state_tree,
stateless_compute_loss, the compiled_loss/compiled_metrics shims, distribute_* and the settings.

References: NumPy closed forms for a linear model trained with SGD on MSE, and Keras 3 (an
oracle, when installed) for the state tree's paths.
"""
import os
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import layers, optimizers
from keraslite.backend import compute_gradients

BACKEND = keraslite.backend.backend()
RNG = np.random.default_rng(3)
X = RNG.normal(size=(32, 3)).astype("float32")
TRUE_W = np.array([[1.0], [-2.0], [0.5]], "float32")
Y = (X @ TRUE_W + 0.25).astype("float32")
LR = 0.1


def _linear(metrics=None):
    inputs = keraslite.Input((3,))
    model = keraslite.Model(inputs, layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(optimizer=optimizers.SGD(LR), loss="mse", metrics=metrics)
    return model


def _sgd_steps(batches, w=None, b=None):
    """NumPy SGD on mean((xW + b - y)^2); returns the weights and each step's loss."""
    w = np.zeros((3, 1), "float64") if w is None else w.astype("float64")
    b = np.zeros((1,), "float64") if b is None else b.astype("float64")
    losses = []
    for x, y in batches:
        err = x @ w + b - y
        losses.append(float(np.mean(err ** 2)))
        w = w - LR * 2.0 / err.size * x.T @ err
        b = b - LR * 2.0 / err.size * err.sum(axis=0)
    return w, b, losses


def _batches(n, size=8):
    return [(X[i * size:(i + 1) * size], Y[i * size:(i + 1) * size]) for i in range(n)]


# -- make_train_function / make_test_function / make_predict_function ----------------------------
def test_train_function_runs_steps_per_execution_batches_from_an_iterator():
    model = _linear()
    model.steps_per_execution = 2
    fn = model.make_train_function()
    assert model.train_function is fn and model.make_train_function() is fn
    iterator = iter(_batches(3))
    logs = model.train_function(iterator)          # steps 1-2
    w, b, losses = _sgd_steps(_batches(2))
    kernel, bias = model.layers[1].get_weights()
    np.testing.assert_allclose(kernel, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, b, rtol=1e-5, atol=1e-6)
    # The loss log is the running mean over the steps so far (equal batch sizes).
    np.testing.assert_allclose(float(logs["loss"]), np.mean(losses), rtol=1e-5)
    model.train_function(iterator)                 # step 3: the one batch left
    with pytest.raises(StopIteration):
        model.train_function(iterator)
    w, b, _ = _sgd_steps(_batches(3))
    np.testing.assert_allclose(model.layers[1].get_weights()[0], w, rtol=1e-5, atol=1e-6)
    assert model.make_train_function(force=True) is not fn


def test_test_and_predict_functions_match_numpy_and_accumulate_until_reset():
    model = _linear(metrics=[keraslite.metrics.MeanAbsoluteError()])
    model.train_function = None
    model.make_train_function()(_batches(1)[0])    # one batch given directly
    kernel, bias = model.layers[1].get_weights()
    model.reset_metrics()
    test = model.make_test_function()
    batches = _batches(2)
    logs = test(batches)                           # a list of batches: both run
    err = np.concatenate([x @ kernel + bias - y for x, y in batches])
    np.testing.assert_allclose(float(logs["loss"]), np.mean(err ** 2), rtol=1e-5)
    np.testing.assert_allclose(float(logs["mean_absolute_error"]), np.mean(np.abs(err)),
                               rtol=1e-5)
    np.testing.assert_allclose(model.layers[1].get_weights()[0], kernel)  # weights unchanged
    outputs = model.make_predict_function()([X[:5], (X[5:12],)])
    np.testing.assert_allclose(np.asarray(outputs), X[:12] @ kernel + bias, rtol=1e-5,
                               atol=1e-6)


def test_compile_drops_the_step_functions():
    model = _linear()
    model.make_train_function()
    model.compile(optimizer="sgd", loss="mse")
    assert model.train_function is None and model.predict_function is None


# -- get_state_tree / set_state_tree ---------------------------------------------------------------
def _bn_model(mod):
    model = mod.Sequential([mod.Input(shape=(3,), name="my_input"),
                            mod.layers.Dense(2, name="my_dense"),
                            mod.layers.BatchNormalization(name="bn"),
                            mod.layers.Dense(1, name="out")], name="my_sequential")
    model.compile(optimizer="adam", loss="mse", metrics=[mod.metrics.MeanAbsoluteError()])
    model.fit(X[:8], Y[:8], batch_size=4, verbose=0)
    return model


def _flat_shapes(tree, prefix=""):
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat_shapes(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = tuple(np.shape(value))
    return out


def test_state_tree_paths_and_shapes_match_keras():
    os.environ.setdefault("KERAS_BACKEND", BACKEND)
    keras = pytest.importorskip("keras")
    keras.backend.clear_session()  # automatic names ("adam", not "adam_3") as in a fresh script
    ours = _flat_shapes(_bn_model(keraslite).get_state_tree("numpy_array"))
    theirs = _flat_shapes(_bn_model(keras).get_state_tree("numpy_array"))
    assert ours == theirs


def test_state_tree_round_trip_and_validation():
    model = _bn_model(keraslite)
    before = model.get_state()
    tree = model.get_state_tree("numpy_array")
    flat = _flat_shapes(tree)
    assert len(flat) == len(before)  # every variable of the training state, once
    kernel = tree["trainable_variables"]["my_sequential"]["my_dense"]["kernel"]
    np.testing.assert_array_equal(kernel, model.layers[0].kernel.numpy())
    model.fit(X[:8], Y[:8], batch_size=4, verbose=0)
    model.set_state_tree(tree)
    for path, value in model.get_state().items():
        np.testing.assert_array_equal(value, before[path], err_msg=path)
    bad_shape = {"trainable_variables": {"my_sequential": {"out": {"bias": np.zeros(3)}}}}
    with pytest.raises(ValueError, match=r"my_sequential/out/bias.*shape \(1,\)"):
        model.set_state_tree(bad_shape)
    partial = {"non_trainable_variables": {"my_sequential": {"bn": {
        "moving_mean": np.full(2, 7.0)}}}, "optimizer_variables": {"adam": {"nope": 1.0}}}
    with pytest.raises(ValueError, match="no optimizer_variables at path.*adam/nope"):
        model.set_state_tree(partial)
    assert not np.any(model.layers[1].moving_mean.numpy() == 7.0)  # nothing assigned
    with pytest.raises(ValueError, match="unknown group"):
        model.set_state_tree({"weights": {}})
    with pytest.raises(ValueError, match="value_format"):
        model.get_state_tree("list")


# -- stateless_compute_loss ---------------------------------------------------------------------
def test_stateless_compute_loss_uses_the_given_values_and_leaves_the_model_alone():
    model = _linear(metrics=["mae"])
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    kernel = RNG.normal(size=(3, 1)).astype("float32")
    bias = np.array([0.3], "float32")
    old = [v.numpy() for v in model.trainable_variables]
    y_pred = X @ kernel + bias
    metric_values = [v.value for m in model.metrics for v in m.variables]
    loss, (trainable, non_trainable, metrics) = model.stateless_compute_loss(
        [kernel, bias], [v.value for v in model.non_trainable_variables], metric_values,
        x=X, y=Y, y_pred=y_pred)
    np.testing.assert_allclose(float(loss), np.mean((y_pred - Y) ** 2), rtol=1e-5)
    assert len(trainable) == 2 and len(metrics) == len(metric_values)
    for variable, value in zip(model.trainable_variables, old):
        np.testing.assert_array_equal(variable.numpy(), value)
    with pytest.raises(ValueError, match="has 2 trainable_variables. Received: 1 values"):
        model.stateless_compute_loss([kernel], [], metric_values, x=X, y=Y, y_pred=y_pred)


def test_compute_loss_and_updates_is_pure_and_returns_the_new_statistics():
    inputs = keraslite.Input((3,))
    outputs = layers.BatchNormalization(momentum=0.9)(layers.Dense(2)(inputs))
    model = keraslite.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X[:8], np.zeros((8, 2), "float32"), batch_size=8, verbose=0)  # builds metrics
    kernel = RNG.normal(size=(3, 2)).astype("float32")
    trainable = [kernel] + [v.value for v in model.trainable_variables[1:]]
    non_trainable = [v.value for v in model.non_trainable_variables]
    moving_mean_before = model.layers[2].moving_mean.numpy()
    y = np.ones((32, 2), "float32")
    metric_values = [v.value for m in model.metrics for v in m.variables]
    loss, (unscaled, y_pred, new_non_trainable, new_metrics) = model.compute_loss_and_updates(
        trainable, non_trainable, metric_values, X, y, None, training=True,
        optimizer_variables=[v.value for v in model.optimizer.variables])
    bias = model.layers[1].bias.numpy()
    hidden = X @ kernel + bias
    gamma, beta = model.layers[2].gamma.numpy(), model.layers[2].beta.numpy()
    eps = model.layers[2].epsilon
    expected = gamma * (hidden - hidden.mean(0)) / np.sqrt(hidden.var(0) + eps) + beta
    np.testing.assert_allclose(np.asarray(y_pred), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(float(unscaled), np.mean((expected - y) ** 2), rtol=1e-4)
    np.testing.assert_allclose(float(loss), float(unscaled))  # SGD does not scale the loss
    paths = [v.path for v in model.non_trainable_variables]
    new_mean = np.asarray(new_non_trainable[paths.index(model.layers[2].moving_mean.path)])
    np.testing.assert_allclose(new_mean, 0.9 * moving_mean_before + 0.1 * hidden.mean(0),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(model.layers[2].moving_mean.numpy(), moving_mean_before)
    assert len(new_metrics) == len(metric_values)
    model.jax_state_sync()  # nothing to write back: the variables are the state


# -- Keras 2-era custom train_step: compiled_loss / compiled_metrics ------------------------------
class LegacyStep(keraslite.Model):
    """The Keras 2 guide's custom train_step, with each backend's own autodiff."""

    def train_step(self, data):
        x, y = data
        if BACKEND == "tensorflow":
            import tensorflow as tf

            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
        else:
            def loss_fn():
                pred = self(x, training=True)
                return self.compiled_loss(y, pred, regularization_losses=self.losses), pred

            (loss, y_pred), grads = compute_gradients(loss_fn, self.trainable_variables,
                                                      has_aux=True)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_keras2_custom_train_step_with_compiled_loss_and_metrics_trains_as_numpy():
    inputs = keraslite.Input((3,))
    model = LegacyStep(inputs, layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(optimizer=optimizers.SGD(LR), loss="mse",
                  metrics=[keraslite.metrics.MeanAbsoluteError(name="mae")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    text = " ".join(str(w.message) for w in caught)
    assert "compiled_loss()` is deprecated" in text and "compiled_metrics` is deprecated" in text
    w, b = np.zeros((3, 1)), np.zeros((1,))
    for epoch in range(2):
        maes, before = [], (w, b)
        for x, y in _batches(4):
            maes.append(np.mean(np.abs(x @ w + b - y)))
            w, b, _ = _sgd_steps([(x, y)], w, b)
        _, _, losses = _sgd_steps(_batches(4), *before)
        np.testing.assert_allclose(history.history["loss"][epoch], np.mean(losses), rtol=1e-4)
        np.testing.assert_allclose(history.history["mae"][epoch], np.mean(maes), rtol=1e-4)
    np.testing.assert_allclose(model.layers[1].get_weights()[0], w, rtol=1e-4, atol=1e-6)


# -- distribution, settings, quantization ---------------------------------------------------------
def test_distribute_members():
    model = _linear()
    assert model.distribute_reduction_method == "auto"
    with pytest.raises(ValueError, match="distribute_reduction_method.*'sum'"):
        model.distribute_reduction_method = "sum"
    model.distribute_reduction_method = None
    assert model.distribute_reduction_method == "auto"
    if BACKEND == "jax":
        assert model.distribute_strategy is None
        return
    import tensorflow as tf

    assert model.distribute_strategy is tf.distribute.get_strategy()  # the default one
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        inside = keraslite.Sequential([layers.Dense(1)])
    assert inside.distribute_strategy is strategy


def test_settings_are_validated_and_take_effect():
    model = _linear()
    assert model.jit_compile == "auto" and model.run_eagerly is False
    with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto'"):
        model.jit_compile = "yes"
    with pytest.raises(ValueError, match="run_eagerly must be True or False"):
        model.run_eagerly = 1
    model.unrolled_steps_per_execution = 1
    with pytest.raises(ValueError, match="unrolled_steps_per_execution.*Received: 4"):
        model.unrolled_steps_per_execution = 4
    model.jit_compile = False
    model.run_eagerly = True
    model.fit(X[:8], Y[:8], batch_size=8, epochs=1, shuffle=False, verbose=0)
    w, _, _ = _sgd_steps(_batches(1))
    np.testing.assert_allclose(model.layers[1].get_weights()[0], w, rtol=1e-5, atol=1e-6)
    assert model.loss == "mse"  # the compile argument, as in Keras
    assert model.get_quantization_layer_structure("gptq") is None
    with pytest.raises(NotImplementedError, match="quantize.*int8"):
        model.quantize("int8", filters=None)
