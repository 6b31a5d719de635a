"""keras.saving / keras.models / keras.utils names: serialize_keras_object and
deserialize_keras_object (against Keras 3's layout), save_model/save_weights/load_weights,
model_from_json, Config."""
import json
import os

import numpy as np
import pytest

import keraslite
from keraslite import saving, utils


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _objects(lib):
    return [lib.regularizers.L2(0.01), lib.losses.MeanSquaredError(),
            lib.initializers.Constant(0.5), lib.constraints.NonNeg(),
            lib.activations.relu, lib.activations.softmax]


def test_envelope_matches_keras(keras):
    for ours, theirs in zip(_objects(keraslite), _objects(keras)):
        a = saving.serialize_keras_object(ours)
        b = keras.saving.serialize_keras_object(theirs)
        assert {k: a[k] for k in ("module", "class_name", "registered_name")} == \
            {k: b[k] for k in ("module", "class_name", "registered_name")}, b
        if isinstance(b["config"], str):
            assert a["config"] == b["config"]
    for value in (None, 3, 2.5, "x", [1, 2], {"a": [1, (2, 3)]}, (1, 2), np.arange(3),
                  np.array([[1.5, 2.0]], "float32")):
        ours = saving.serialize_keras_object(value)
        theirs = keras.saving.serialize_keras_object(value)
        assert json.dumps(ours) == json.dumps(theirs), value


def test_keras_configs_deserialize_to_the_same_values(keras):
    x = np.linspace(-2, 2, 12, dtype="float32").reshape(3, 4)
    y = np.ones((3, 4), "float32")
    for theirs in _objects(keras):
        config = keras.saving.serialize_keras_object(theirs)
        ours = saving.deserialize_keras_object(config)
        if isinstance(theirs, keras.losses.Loss):
            got, want = ours(y, x), theirs(y, x)
        elif isinstance(theirs, keras.regularizers.Regularizer):
            got, want = ours(x), theirs(x)
        elif isinstance(theirs, keras.initializers.Initializer):
            got, want = ours((2, 2)), theirs((2, 2))
        elif isinstance(theirs, keras.constraints.Constraint):
            got, want = ours(x), theirs(x)
        else:
            got, want = ours(x), theirs(x)
        np.testing.assert_allclose(keraslite.backend.convert_to_numpy(got),
                                   keras.ops.convert_to_numpy(want), rtol=1e-6)
    np.testing.assert_array_equal(saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(np.arange(4).reshape(2, 2))),
        np.arange(4).reshape(2, 2))


def test_round_trip_of_layers_and_optimizers():
    dense = keraslite.layers.Dense(3, activation="relu", name="d")
    copy = saving.deserialize_keras_object(saving.serialize_keras_object(dense))
    assert type(copy) is keraslite.layers.Dense and copy.get_config() == dense.get_config()
    sgd = keraslite.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    copy = utils.deserialize_keras_object(utils.serialize_keras_object(sgd))
    assert copy.get_config() == sgd.get_config()
    nested = {"layers": [dense], "pair": (1, "a")}
    back = saving.deserialize_keras_object(saving.serialize_keras_object(nested))
    assert back["pair"] == (1, "a") and back["layers"][0].units == 3


def test_registered_and_custom_classes():
    @saving.register_keras_serializable(package="TestPkg")
    class Twice(keraslite.layers.Layer):
        def call(self, x):
            return x * 2

    config = saving.serialize_keras_object(Twice(name="t"))
    assert config["registered_name"] == "TestPkg>Twice"
    assert saving.get_registered_name(Twice) == "TestPkg>Twice"
    assert isinstance(saving.deserialize_keras_object(config), Twice)

    class Local(keraslite.layers.Layer):
        pass

    config = saving.serialize_keras_object(Local(name="l"))
    with pytest.raises(ValueError, match="Unknown class 'Local'.*custom_objects"):
        saving.deserialize_keras_object(config)
    assert isinstance(saving.deserialize_keras_object(config, {"Local": Local}), Local)
    with saving.custom_object_scope({"Local": Local}):
        assert isinstance(saving.deserialize_keras_object(config), Local)


def test_nothing_is_imported_by_name():
    for config in ({"module": "os", "class_name": "system", "config": {}},
                   {"module": "builtins", "class_name": "function", "config": "eval"},
                   {"module": "subprocess", "class_name": "Popen", "config": {"args": "ls"}}):
        with pytest.raises(ValueError, match="Unknown"):
            saving.deserialize_keras_object(config)
    with pytest.raises(ValueError, match="cannot serialize"):
        saving.serialize_keras_object(lambda x: x)


def _model():
    model = keraslite.Sequential([keraslite.Input((4,)), keraslite.layers.Dense(3),
                                  keraslite.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_file_functions(tmp_path):
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    model = _model()
    saving.save_model(model, tmp_path / "m.keraslite")
    loaded = keraslite.models.load_model(tmp_path / "m.keraslite")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    keraslite.models.save_model(model, tmp_path / "n.keraslite")
    saving.save_weights(model, tmp_path / "w.safetensors")
    other = _model()
    saving.load_weights(other, tmp_path / "w.safetensors")
    np.testing.assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="`zipped`"):
        saving.save_model(model, tmp_path / "z.keraslite", zipped=False)
    with pytest.raises(TypeError, match="`model` must be a keraslite Model"):
        saving.save_weights("not a model", tmp_path / "w2.safetensors")


def test_model_from_json():
    model = _model()
    text = json.dumps(saving.serialize_keras_object(model))
    copy = keraslite.models.model_from_json(text)
    assert [type(layer) for layer in copy.layers] == [type(layer) for layer in model.layers]
    assert [w.shape for w in copy.weights] == [w.shape for w in model.weights]
    with pytest.raises(ValueError, match="not valid JSON"):
        keraslite.models.model_from_json("{nope")
    with pytest.raises(ValueError, match="not a model"):
        keraslite.models.model_from_json(json.dumps(saving.serialize_keras_object(
            keraslite.regularizers.L2(0.1))))


def test_config_matches_keras(keras):
    ours, theirs = utils.Config(a=1, b=[2]), keras.utils.Config(a=1, b=[2])
    ours.c, theirs.c = 3, 3
    assert (ours.a, ours["c"], ours.to_json(), ours.as_dict()) == \
        (theirs.a, theirs["c"], theirs.to_json(), theirs.as_dict())
    ours.freeze()
    theirs.freeze()
    assert ours.frozen and theirs.frozen
    for mutate in (lambda c: setattr(c, "a", 5), lambda c: c.update(a=5),
                   lambda c: c.__setitem__("a", 5), lambda c: c.pop("a")):
        with pytest.raises(ValueError, match="frozen"):
            mutate(ours)
        with pytest.raises(ValueError, match="frozen"):
            mutate(theirs)
    ours.unfreeze()
    ours.a = 5
    assert ours["a"] == 5
    with pytest.raises(AttributeError, match="no entry 'zz'"):
        ours.zz


def test_to_json_round_trips_with_keras(keras):
    inputs = keraslite.Input((4,), name="features")
    hidden = keraslite.layers.Dense(3, activation="relu", name="hidden")(inputs)
    side = keraslite.layers.Dense(2, name="side")(inputs)
    model = keraslite.Model(inputs, [keraslite.layers.Concatenate()([hidden, side]), side])
    text = model.to_json(indent=1)
    theirs = keras.models.model_from_json(text)
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in model.layers]
    assert theirs.count_params() == model.count_params()
    # Keras's JSON (functional and Sequential) back into keraslite, weights copied over.
    sequential = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, name="out")])
    for source in (theirs, sequential):
        ours = keraslite.models.model_from_json(source.to_json())
        ours.set_weights(source.get_weights())
        x = np.random.default_rng(1).normal(size=(3,) + tuple(source.inputs[0].shape[1:]))
        x = x.astype("float32")
        for mine, expected in zip(keraslite.tree.flatten(ours.predict(x, verbose=0)),
                                  keras.tree.flatten(source.predict(x, verbose=0))):
            np.testing.assert_allclose(np.asarray(mine), np.asarray(expected), atol=1e-6)
    assert json.loads(keraslite.models.model_from_json(text).to_json()) == json.loads(text)


def test_model_compile_config_methods():
    model = _model()
    config = model.get_compile_config()
    json.dumps(config)  # plain data
    other = keraslite.Sequential([keraslite.Input((4,)), keraslite.layers.Dense(3),
                                  keraslite.layers.Dense(2)])
    assert other.get_compile_config() is None
    other.compile_from_config(config)
    assert type(other.optimizer) is type(model.optimizer)
    assert other.get_compile_config() == config
    x = np.ones((4, 4), "float32")
    other.set_weights(model.get_weights())
    np.testing.assert_allclose(other.evaluate(x, np.zeros((4, 2)), verbose=0),
                               model.evaluate(x, np.zeros((4, 2)), verbose=0), rtol=1e-6)
