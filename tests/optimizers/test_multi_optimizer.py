"""MultiOptimizer / OptimizerMap: training with per-variable optimizers against Keras 3's
MultiOptimizer and against each optimizer run alone."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import optimizers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _model(lib, weights=None):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, name="enc"),
                            lib.layers.Dense(1, name="head")])
    if weights is not None:
        model.set_weights(weights)
    return model


def _train(lib, model, optimizer, epochs=3):
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return [np.asarray(w) for w in model.get_weights()]


def _multi(lib):
    opt = lib.optimizers
    # Keras's paths start with the model's name ("sequential/enc/kernel"), keraslite's with
    # the layer's ("enc/kernel"): this key matches the encoder's variables in both.
    return opt.MultiOptimizer(opt.OptimizerMap(opt.SGD(0.05), {".*enc/.*": opt.Adam(0.01)}))


def test_training_matches_keras(keras):
    weights = [w.copy() for w in _model(keraslite).get_weights()]
    ours = _train(keraslite, _model(keraslite, weights), _multi(keraslite))
    theirs = _train(keras, _model(keras, weights), _multi(keras))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_each_variable_moves_as_with_its_own_optimizer():
    weights = [w.copy() for w in _model(keraslite).get_weights()]
    model = _model(keraslite, weights)
    multi = optimizers.MultiOptimizer(
        lambda variable: adam if variable.path.startswith("enc/") else sgd)
    adam, sgd = optimizers.Adam(0.01), optimizers.SGD(0.05)
    model.compile(optimizer=multi, loss="mse")
    # One full batch: the step is a plain function of the gradients, so the reference applies
    # Adam to the encoder's gradients and SGD to the head's.
    model.fit(X, Y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    grads_model = _model(keraslite, weights)

    def loss_fn():
        return keraslite.ops.mean(keraslite.ops.square(grads_model(X) - Y))

    _, grads = keraslite.backend.compute_gradients(loss_fn, grads_model.trainable_variables)
    grads = [np.asarray(keraslite.backend.convert_to_numpy(g)) for g in grads]
    lr, eps = 0.01, 1e-7
    expected = []
    for i, (w, g) in enumerate(zip(weights, grads)):
        if i < 2:  # Adam's first step (Keras's form): lr * sqrt(1 - b2) / (1 - b1) * m /
            # (sqrt(v) + eps) with m = 0.1 g and v = 0.001 g^2
            expected.append(w - lr * g / (np.abs(g) + eps / np.sqrt(1 - 0.999)))
        else:
            expected.append(w - 0.05 * g)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert [int(np.asarray(o.iterations)) for o in multi.optimizers] == [1, 1]
    assert int(np.asarray(multi.iterations)) == 1


def test_map_lookup_config_and_errors():
    sgd, adam = optimizers.SGD(0.1), optimizers.Adam()
    mapping = optimizers.OptimizerMap(sgd, {"enc/.*": adam, "head/kernel": adam})
    assert mapping["enc/kernel"] is adam and mapping["head/bias"] is sgd
    assert mapping["enc"] is sgd  # keys must match the whole path
    assert mapping["head/kernel"] is adam  # an exact key wins over patterns
    with pytest.raises(ValueError, match="matches more than one key"):
        optimizers.OptimizerMap(sgd, {"h.*": adam, "he.*": sgd})["head"]
    multi = optimizers.MultiOptimizer(optimizers.OptimizerMap(sgd, {"enc/.*": adam}))
    copy = optimizers.deserialize(optimizers.serialize(multi))
    assert isinstance(copy, optimizers.MultiOptimizer)
    assert copy.optimizer_map["enc/x"].get_config()["learning_rate"] == pytest.approx(0.001)
    with pytest.raises(AttributeError, match="no single learning rate"):
        multi.learning_rate
    with pytest.raises(TypeError, match="`optimizer_map` must be"):
        optimizers.MultiOptimizer("adam")
    with pytest.raises(TypeError, match="must be an Optimizer"):
        optimizers.OptimizerMap("sgd")
    with pytest.raises(ValueError, match="a selection function cannot"):
        optimizers.MultiOptimizer(lambda v: sgd).get_config()
