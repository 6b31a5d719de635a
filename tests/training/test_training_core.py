"""The training core: one step definition, loss scaling inside the traced step, the path-keyed
model state, host-side input checks on every call, and what custom steps receive."""
import math

import numpy as np
import pytest

import keraslite
from keraslite import layers, mixed_precision, ops, optimizers

RNG = np.random.RandomState(0)
X = RNG.rand(64, 8).astype("float32")
Y = (X @ RNG.rand(8, 1)).astype("float32")


@pytest.fixture(autouse=True)
def _float32_after():
    yield
    mixed_precision.set_global_policy("float32")


def _regression_model():
    keraslite.utils.set_random_seed(3)
    return keraslite.Sequential([keraslite.Input((8,)), layers.Dense(1)])


def test_default_loss_scale_trains_under_mixed_float16():
    """Keras's default initial scale (2**15) overflows on the first steps: each overflow must
    halve the scale at run time and skip only that step (the scale was frozen at trace time)."""
    mixed_precision.set_global_policy("mixed_float16")
    model = _regression_model()
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(0.05), initial_scale=32768.0)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    losses = history.history["loss"]
    scale = float(opt.dynamic_scale.numpy())
    skipped = round(math.log2(32768.0 / scale))
    steps = 3 * 8
    assert 1 <= skipped < steps
    # Every step either applied (iterations) or halved the scale: nothing else happened.
    assert int(opt.iterations.numpy()) == steps - skipped
    assert losses[-1] < 0.5 * losses[0]


class _SuperStep(keraslite.Sequential):
    def train_step(self, data):
        return super().train_step(data)


def test_super_train_step_scales_the_loss_like_the_default():
    mixed_precision.set_global_policy("mixed_float16")
    results = []
    for cls in (keraslite.Sequential, _SuperStep):
        keraslite.utils.set_random_seed(3)
        model = cls([keraslite.Input((8,)), layers.Dense(1)])
        model.compile(optimizer=optimizers.LossScaleOptimizer(optimizers.SGD(0.05)), loss="mse")
        history = model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights()))
    (loss_a, w_a), (loss_b, w_b) = results
    assert loss_b[-1] < loss_b[0]
    np.testing.assert_allclose(loss_a, loss_b, rtol=1e-6)
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def _cnn():
    inputs = keraslite.Input((8, 8, 1))
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    outputs = layers.Dense(2)(layers.Flatten()(x))
    model = keraslite.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    return model


# (2, 8, 8) is accepted by fit/evaluate/predict: the missing trailing axis of size 1 is added,
# as in Keras (tests/training/test_hardening_data.py).
@pytest.mark.parametrize("shape", [(2, 9, 9, 1), (2, 8, 8, 3), (2, 8, 8, 1, 1, 1)])
def test_inputs_are_checked_on_every_call_not_only_while_tracing(shape):
    model = _cnn()
    images = RNG.rand(16, 8, 8, 1).astype("float32")
    model.fit(images, RNG.rand(16, 2).astype("float32"), epochs=1, verbose=0)
    model.predict(images[:2], verbose=0)  # compiled once for the right shape
    bad = RNG.rand(*shape).astype("float32")
    for call in (lambda: model.predict(bad, verbose=0), lambda: model(bad),
                 lambda: model.evaluate(bad, RNG.rand(2, 2).astype("float32"), verbose=0),
                 lambda: model.predict_on_batch(bad)):
        with pytest.raises(ValueError, match=r"expected shape=\(None, 8, 8, 1\), found shape="
                                             + str(shape).replace("(", r"\(").replace(")", r"\)")):
            call()


def test_a_bad_streamed_batch_is_refused_by_name():
    model = _cnn()

    def batches():
        yield RNG.rand(4, 8, 8, 1).astype("float32"), RNG.rand(4, 2).astype("float32")
        yield RNG.rand(4, 9, 9, 1).astype("float32"), RNG.rand(4, 2).astype("float32")

    with pytest.raises(ValueError, match=r"found shape=\(4, 9, 9, 1\)"):
        model.fit(batches(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"found shape=\(4, 9, 9, 1\)"):
        model.predict(batches(), verbose=0)


class _Recorder(keraslite.Model):
    """Records what the compiled steps hand to the overridable methods."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.seen = {}

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        self.seen["train_data"] = type(data).__name__
        if isinstance(data, tuple):
            return super().train_step(data)
        x = data

        def loss_fn():
            return ops.mean(ops.square(self(x, training=True)))

        loss, grads = keraslite.backend.compute_gradients(loss_fn, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        return {"loss": loss}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        self.seen["y_pred"] = type(y_pred).__name__
        self.seen["y"] = type(y).__name__
        return super().compute_loss(x, y, y_pred, sample_weight, training) / 2


def test_custom_steps_receive_what_keras_passes():
    model = _Recorder()
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    model.fit(X, verbose=0, epochs=1)
    assert model.seen["train_data"] not in ("tuple", "list")  # x itself, not (x,)
    model.fit(X, Y, verbose=0, epochs=1)
    assert model.seen["train_data"] == "tuple"
    assert model.seen["y_pred"] not in ("list", "tuple")  # one array for one output
    assert model.seen["y"] not in ("list", "tuple")


def test_overridden_compute_loss_is_what_fit_minimizes():
    """The logged loss is the override's (half the mse): checked against NumPy."""
    model = _Recorder()
    model.compile(optimizer=optimizers.SGD(0.0), loss="mse")
    model.build((None, 8))
    w, b = model.get_weights()
    logs = model.fit(X, Y, batch_size=64, epochs=1, verbose=0).history["loss"]
    np.testing.assert_allclose(logs[0], np.mean((X @ w + b - Y) ** 2) / 2, rtol=1e-5)


def test_compute_loss_works_before_fit():
    model = _regression_model()
    model.compile(optimizer="sgd", loss="mse")
    y_pred = model(X)
    loss = model.compute_loss(X, Y, y_pred)
    np.testing.assert_allclose(float(loss), np.mean((np.asarray(y_pred) - Y) ** 2), rtol=1e-5)


class _Doubling(keraslite.Sequential):
    def predict_step(self, data):
        return super().predict_step(data) * 2.0


def test_predict_step_override_runs_inside_predict():
    keraslite.utils.set_random_seed(1)
    model = _Doubling([keraslite.Input((8,)), layers.Dense(3)])
    np.testing.assert_allclose(model.predict(X, batch_size=16, verbose=0),
                               2.0 * np.asarray(model(X)), rtol=1e-5, atol=1e-6)


def _adam_model():
    keraslite.utils.set_random_seed(5)
    model = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(4), layers.Dropout(0.3),
                                  layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def test_state_paths_are_readable_and_cover_the_training_state():
    model = _adam_model()
    model.fit(X, Y, epochs=1, verbose=0)
    state = model.get_state()
    for path in ("layers/dense/kernel", "layers/dense_1/bias",
                 "layers/dropout/seed_generator/state", "optimizer/iteration",
                 "optimizer/learning_rate", "optimizer/momentum/layers/dense/kernel",
                 "optimizer/velocity/layers/dense_1/bias", "metrics/loss/total",
                 "metrics/mae/count"):
        assert path in state, sorted(state)
    np.testing.assert_array_equal(state["layers/dense/kernel"], model.layers[0].kernel.numpy())
    assert int(state["optimizer/iteration"]) == 2  # 64 samples, batch 32


def test_set_state_resumes_bit_identically():
    model = _adam_model()
    model.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    saved = model.get_state()
    model.fit(X, Y, epochs=2, shuffle=False, verbose=0)
    first = model.get_weights()
    model.set_state(saved)
    np.testing.assert_array_equal(model.get_state()["layers/dense/kernel"],
                                  saved["layers/dense/kernel"])
    model.fit(X, Y, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(first, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_set_state_refuses_a_mismatch_and_changes_nothing():
    model = _adam_model()
    model.fit(X, Y, epochs=1, verbose=0)
    state = model.get_state()
    before = model.get_weights()
    wrong = dict(state)
    wrong["layers/dense/kernel"] = np.zeros((3, 4), "float32")
    with pytest.raises(ValueError, match=r"layers/dense/kernel.*\(8, 4\).*\(3, 4\)"):
        model.set_state(wrong)
    missing = {k: v for k, v in state.items() if k != "optimizer/iteration"}
    with pytest.raises(ValueError, match="optimizer/iteration"):
        model.set_state(missing)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


_OUTSIDE = {}


class _UsesUntrackedOptimizer(keraslite.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        opt = _OUTSIDE["opt"]  # not reachable from the model: its state cannot be carried

        def loss_fn():
            return ops.mean(ops.square(self(x, training=True) - y))

        loss, grads = keraslite.backend.compute_gradients(loss_fn, self.trainable_variables)
        opt.apply(grads, self.trainable_variables)
        return {"loss": loss}


def test_reading_untracked_state_while_tracing_is_an_error_not_a_constant():
    _OUTSIDE["opt"] = optimizers.SGD(0.1)
    model = _UsesUntrackedOptimizer()
    model.compile()
    model.build((None, 8))
    with pytest.raises(ValueError, match="frozen into the compiled step"):
        model.fit(X, Y, epochs=1, verbose=0)


class _FunctionalCustom(keraslite.Model):
    """Keras's custom-step example: a Model subclass built functionally."""

    def train_step(self, data):
        x, y = data

        def loss_fn():
            return self.compute_loss(y=y, y_pred=self(x, training=True))

        loss, grads = keraslite.backend.compute_gradients(loss_fn, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self._loss_tracker.update_state(loss)
        return {"loss": self._loss_tracker.result()}


def test_a_subclass_built_functionally_runs_its_own_step():
    inputs = keraslite.Input((8,))
    model = _FunctionalCustom(inputs, layers.Dense(1)(inputs))
    assert isinstance(model, _FunctionalCustom) and type(model).__name__ == "_FunctionalCustom"
    reference = keraslite.Model(inputs, model.layers[-1].output)
    reference = keraslite.models.clone_model(reference)
    reference.set_weights(model.get_weights())
    for m in (model, reference):
        m.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    h1 = model.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h2 = reference.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_an_unbuilt_subclass_with_a_custom_step_builds_before_the_optimizer():
    class Step(_UsesUntrackedOptimizer):
        def train_step(self, data):
            x, y = data
            loss, grads = keraslite.backend.compute_gradients(
                lambda: ops.mean(ops.square(self(x, training=True) - y)),
                self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"loss": loss}

    model = Step()
    model.compile(optimizer=optimizers.SGD(0.02))
    losses = model.fit(X, Y, batch_size=16, epochs=3, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    assert len(model.optimizer._trainable_variables) == 2
