"""``keraslite.models.clone_model`` against Keras 3's ``clone_model`` as the oracle.

Each architecture is built in both libraries with the same weights; the clones must have the
same layers and parameter counts as Keras's clones, new variables (nothing shared with the
original), and, once given the original's weights, the same predictions as Keras's clone.
"""
import os

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.models import clone_model

os.environ.setdefault("KERAS_BACKEND", keraslite.backend.backend())
keras = pytest.importorskip("keras", reason="Keras 3 is the test-time oracle")

RNG = np.random.RandomState(3)
X = RNG.rand(6, 4).astype("float32")


def _sequential(lib):
    return lib.Sequential([lib.Input((4,)), lib.layers.Dense(5, activation="relu"),
                           lib.layers.Dropout(0.3), lib.layers.Dense(2)])


def _functional(lib):
    a = lib.Input((4,), name="a")
    b = lib.Input((2,), name="b")
    shared = lib.layers.Dense(2, name="shared")
    joined = lib.layers.Concatenate()([shared(lib.layers.Dense(2)(a)), shared(b)])
    return lib.Model({"a": a, "b": b}, [joined, lib.layers.Dense(1)(joined)])


def _inputs(kind):
    if kind == "sequential":
        return X
    return {"a": X, "b": RNG.rand(6, 2).astype("float32")}


def _pair(kind):
    build = _sequential if kind == "sequential" else _functional
    ours, theirs = build(keraslite), build(keras)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _predict(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


def _variable_ids(model):
    return {id(v) for v in model.weights}


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_clone_matches_keras_clone(kind):
    ours, theirs = _pair(kind)
    clone, keras_clone = clone_model(ours), keras.models.clone_model(theirs)
    assert type(clone) is type(ours)
    names = [type(l).__name__ for l in clone.layers]
    # Same layers as Keras's clone (keraslite lists a functional model's inputs first), in the
    # original's order.
    assert sorted(names) == sorted(type(l).__name__ for l in keras_clone.layers)
    assert names == [type(l).__name__ for l in ours.layers]
    assert clone.count_params() == keras_clone.count_params() == ours.count_params()
    assert not _variable_ids(clone) & _variable_ids(ours)
    assert not any(a is b for a, b in zip(clone.layers, ours.layers))
    # Fresh initialization: the clone does not compute what the original does...
    x = _inputs(kind)
    assert any(not np.allclose(p, q) for p, q in zip(_predict(clone, x), _predict(ours, x)))
    # ...until it gets the original's weights; then it computes what Keras's clone does.
    clone.set_weights(ours.get_weights())
    keras_clone.set_weights(theirs.get_weights())
    for got, want in zip(_predict(clone, x), _predict(keras_clone, x)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_shared_layers_stay_shared_in_the_clone():
    model = _functional(keraslite)
    clone = clone_model(model)
    shared = clone.get_layer("shared")
    assert len(shared._inbound_nodes) == 2
    assert len(clone.weights) == len(model.weights)


def test_clone_function_replaces_layers_like_keras():
    def drop_dropout(lib):
        def clone_function(layer):
            if isinstance(layer, lib.layers.Dropout):
                return lib.layers.Identity()
            return layer.__class__.from_config(layer.get_config())
        return clone_function

    ours, theirs = _pair("sequential")
    clone = clone_model(ours, clone_function=drop_dropout(keraslite))
    keras_clone = keras.models.clone_model(theirs, clone_function=drop_dropout(keras))
    assert [type(l).__name__ for l in clone.layers] == [
        type(l).__name__ for l in keras_clone.layers]
    assert "Identity" in [type(l).__name__ for l in clone.layers]
    clone.set_weights(ours.get_weights())
    keras_clone.set_weights(theirs.get_weights())
    np.testing.assert_allclose(_predict(clone, X)[0], _predict(keras_clone, X)[0], rtol=1e-5,
                               atol=1e-6)


def test_call_function_inserts_layers_like_keras():
    def with_scaling(lib):
        def call_function(layer, *args, **kwargs):
            out = layer(*args, **kwargs)
            if isinstance(layer, lib.layers.Dense) and layer.name == "shared":
                return lib.layers.Rescaling(2.0)(out)
            return out
        return call_function

    ours, theirs = _pair("functional")
    clone = clone_model(ours, call_function=with_scaling(keraslite))
    keras_clone = keras.models.clone_model(theirs, call_function=with_scaling(keras))
    assert len(clone.layers) == len(keras_clone.layers)
    clone.set_weights(ours.get_weights())
    keras_clone.set_weights(theirs.get_weights())
    x = _inputs("functional")
    for got, want in zip(_predict(clone, x), _predict(keras_clone, x)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # And the inserted layer really ran: without it the first output is half as large.
    plain = _predict(ours, x)[0]
    np.testing.assert_allclose(_predict(clone, x)[0], 2.0 * plain, rtol=1e-5, atol=1e-6)


def test_recursive_clones_nested_models_layer_by_layer():
    seen = []

    def record(layer):
        seen.append(type(layer).__name__)
        return layer.__class__.from_config(layer.get_config())

    inner = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3), layers.Dense(2)])
    inputs = keraslite.Input((4,))
    outer = keraslite.Model(inputs, layers.Dense(1)(inner(inputs)))
    clone_model(outer, clone_function=record)
    assert seen == ["Sequential", "Dense"]
    seen.clear()
    clone = clone_model(outer, clone_function=record, recursive=True)
    assert seen == ["Dense", "Dense", "Dense"]
    assert isinstance(clone.layers[1], keraslite.Sequential)
    assert clone.count_params() == outer.count_params()


def test_input_tensors_build_the_clone_on_given_inputs():
    model = _sequential(keraslite)
    new_input = keraslite.Input((4,), name="fresh")
    clone = clone_model(model, input_tensors=new_input)
    assert clone.inputs[0] is new_input
    functional = _functional(keraslite)
    given = {"a": keraslite.Input((4,)), "b": keraslite.Input((2,))}
    clone = clone_model(functional, input_tensors=given)
    assert {id(t) for t in clone.inputs} == {id(t) for t in given.values()}
    with pytest.raises(ValueError, match="2 inputs"):
        clone_model(functional, input_tensors=[keraslite.Input((4,))])


class Tower(keraslite.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="tanh")
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def test_subclassed_model_is_cloned_from_its_config():
    model = Tower(units=5)
    model.build((None, 4))
    clone = clone_model(model)
    assert type(clone) is Tower and clone.units == 5
    assert clone.built and clone.count_params() == model.count_params() == 4 * 5 + 5 + 5 + 1
    assert not _variable_ids(clone) & _variable_ids(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(_predict(clone, X)[0], _predict(model, X)[0], rtol=1e-6)
    with pytest.raises(ValueError, match="subclassed model is cloned from its config"):
        clone_model(model, clone_function=lambda layer: layer)


def test_compiled_original_gives_a_compiled_clone_with_its_own_optimizer():
    model = _sequential(keraslite)
    model.compile(optimizer=keraslite.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    clone = clone_model(model)
    assert clone.compiled and clone.optimizer is not model.optimizer
    assert float(clone.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    history = clone.fit(X, X[:, :2], epochs=1, verbose=0)
    assert set(history.history) == {"loss", "mae"}


def test_bad_arguments_are_named():
    model = _sequential(keraslite)
    with pytest.raises(TypeError, match="keraslite Model"):
        clone_model(layers.Dense(2))
    with pytest.raises(TypeError, match="unexpected keyword"):
        clone_model(model, clone_fn=None)
    with pytest.raises(ValueError, match="call_function"):
        clone_model(model, call_function=lambda layer, *a, **k: layer(*a, **k))
    with pytest.raises(TypeError, match="clone_function must return a Layer"):
        clone_model(model, clone_function=lambda layer: None)
