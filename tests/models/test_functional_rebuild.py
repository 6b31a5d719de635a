"""Rebuilding a functional model from its config: linear in the number of layers, bounded by
limits that name themselves, and the same graph as the model that was saved."""
import copy
import json

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.models import functional_config
from keraslite.saving import archive, compile_config


def _chain_config(n, backwards=False):
    """The config of Input -> n Activation layers (alternating relu and tanh)."""
    x = keraslite.Input((4,))
    model = keraslite.Model(x, layers.Activation("relu")(x))
    config = model.get_config()
    template, entries = config["layers"][1], [config["layers"][0]] + [None] * n
    position = (lambda i: n - i) if backwards else (lambda i: i + 1)
    for i in range(n):
        entry = copy.deepcopy(template)
        entry["config"]["name"] = f"act_{i}"
        entry["config"]["activation"] = "relu" if i % 2 == 0 else "tanh"
        source = 0 if i == 0 else position(i - 1)
        entry["inbound_nodes"] = [{"args": [{"__tensor__": [source, 0, 0]}],
                                   "kwargs": {"__dict__": {}}}]
        entries[position(i)] = entry
    config["layers"] = entries
    config["outputs"] = {"__tensor__": [position(n - 1), 0, 0]}
    return type(model), config


def _numpy_chain(x, n):
    for i in range(n):
        x = np.maximum(x, 0) if i % 2 == 0 else np.tanh(x)
    return x


def test_a_10000_layer_chain_rebuilds():
    cls, config = _chain_config(10_000)
    model = cls.from_config(config)
    assert len(model.layers) == 10_001
    assert model.layers[-1].name == "act_9999" and model.output_shape == (None, 4)


@pytest.mark.parametrize("backwards", [False, True])
def test_rebuilt_chain_computes_like_numpy_in_any_layer_order(backwards):
    cls, config = _chain_config(300, backwards=backwards)
    model = cls.from_config(config)
    x = np.linspace(-2, 2, 12, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(np.asarray(model(x)), _numpy_chain(x, 300), rtol=1e-4)


def test_reused_output_specs_match_a_fresh_build():
    """Layers of one class and config on equal inputs share output specs; others do not."""
    x = keraslite.Input((6,))
    h = layers.Dense(5)(x)
    h = layers.Dense(5)(h)
    h = layers.Dense(3)(h)
    h = layers.Reshape((3, 1))(h)
    r = layers.Reshape((1, 3))(h)
    out = layers.Concatenate(axis=1)([layers.Reshape((1, 3))(layers.Flatten()(h)), r])
    model = keraslite.Model(x, out)
    rebuilt = type(model).from_config(model.get_config())
    for a, b in zip(model.layers, rebuilt.layers):
        assert a.output.shape == b.output.shape and a.output.dtype == b.output.dtype
        assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
    rebuilt.set_weights(model.get_weights())
    data = np.random.default_rng(0).standard_normal((2, 6)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(data)), np.asarray(model(data)), rtol=1e-6)


def test_layer_and_node_limits_name_themselves(monkeypatch):
    cls, config = _chain_config(30)
    monkeypatch.setattr(functional_config, "MAX_LAYERS", 20)
    with pytest.raises(ValueError, match=r"lists 31 layers; at most 20 .*MAX_LAYERS"):
        cls.from_config(config)
    monkeypatch.setattr(functional_config, "MAX_LAYERS", 50_000)
    monkeypatch.setattr(functional_config, "MAX_NODES", 10)
    with pytest.raises(ValueError, match=r"lists 30 layer calls \(nodes\); at most 10 .*MAX_NODES"):
        cls.from_config(config)
    monkeypatch.setattr(functional_config, "MAX_LAYERS", 2)
    sequential = keraslite.Sequential([keraslite.Input((2,)), layers.Dense(2), layers.Dense(2),
                                       layers.Dense(2)])
    with pytest.raises(ValueError, match="MAX_LAYERS"):
        keraslite.Sequential.from_config(sequential.get_config())


def test_a_compile_config_listing_10000_metrics_is_refused(tmp_path):
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    path = tmp_path / "m.keraslite"
    model.save(path)
    entries = archive.read_archive(path)
    config = json.loads(entries["config.json"])
    config["compile_config"]["metrics"] = ["mae"] * 10_000
    entries["config.json"] = json.dumps(config).encode()
    archive.write_archive(path, entries)
    with pytest.raises(ValueError, match=r"'metrics' lists 10,000 entries; at most 256 .*MAX_METRICS"):
        keraslite.models.load_model(path)
    # Without compiling, the model and its weights still load.
    loaded = keraslite.models.load_model(path, compile=False)
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])
    assert compile_config.MAX_METRICS == 256


def test_duplicate_layer_names_in_one_model_raise():
    x = keraslite.Input((3,))
    h = layers.Dense(2, name="same")(x)
    out = layers.Dense(2, name="same")(h)
    with pytest.raises(ValueError, match=r"'same' is used by 2 different layers"):
        keraslite.Model(x, out)
    shared = layers.Dense(3, name="shared")
    model = keraslite.Model(x, shared(shared(x)))  # one layer called twice is fine
    assert [l.name for l in model.layers].count("shared") == 1


def test_duplicate_names_in_a_loaded_config_raise():
    x = keraslite.Input((3,))
    model = keraslite.Model(x, layers.Dense(2, name="b")(layers.Dense(3, name="a")(x)))
    config = model.get_config()
    config["layers"][2]["config"]["name"] = "a"
    with pytest.raises(ValueError, match="'a' is used by 2 different layers"):
        type(model).from_config(config)


@pytest.mark.parametrize("key,value", [("trainable", "no"), ("trainable", 0), ("name", 5),
                                       ("dtype", 3)])
def test_config_values_of_the_wrong_type_name_layer_and_key(key, value):
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2, name="head")])
    config = model.get_config()
    config["layers"][-1]["config"][key] = value
    with pytest.raises(TypeError) as info:
        keraslite.Sequential.from_config(config)
    message = str(info.value)
    assert f"config key '{key}'" in message and "(Dense)" in message
    if key != "name":
        assert "'head'" in message


def test_outputs_naming_a_call_that_never_happens_are_a_value_error():
    """Found by the loader fuzzer: this escaped as an internal exception."""
    cls, config = _chain_config(3)
    config["outputs"] = {"__tensor__": [2, 5, 0]}
    with pytest.raises(ValueError, match=r"tensor reference \[2, 5, 0\] names no layer call"):
        cls.from_config(config)


@pytest.mark.parametrize("value", [None, 3, [1.0, 2.0]])
def test_a_call_whose_input_is_not_a_tensor_is_a_value_error(value):
    """Found by the loader fuzzer on TensorFlow: the layer ran eagerly on the file's value."""
    cls, config = _chain_config(3)
    config["layers"][2]["inbound_nodes"][0]["args"][0] = value
    with pytest.raises(ValueError, match="first argument of a call must be a tensor"):
        cls.from_config(config)
