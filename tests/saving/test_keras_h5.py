"""Loading Keras weight files: Keras 3 ``.weights.h5`` and legacy Keras 2 ``.h5``, checked against
Keras 3 as an oracle (run once, in a subprocess, since keraslite never imports keras), plus the
matching rules and the mismatch errors."""
import importlib.util
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from keraslite.saving.keras_h5 import is_keras_h5, load_keras_weights

from keras_h5_cases import CASES

h5py = pytest.importorskip("h5py")
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """The folder of files the Keras oracle wrote (one subprocess for all cases)."""
    if importlib.util.find_spec("keras") is None:
        pytest.skip("Keras 3 is not installed; it is the oracle for these tests.")
    out = tmp_path_factory.mktemp("keras_oracle")
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, os.path.join(HERE, "keras_h5_oracle.py"), str(out)],
                            env=env, capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _build(name):
    model, inputs = CASES[name](keraslite)
    return model, inputs


def _predict(model, inputs):
    x = inputs if len(inputs) > 1 else inputs[0]
    return backend.convert_to_numpy(model(x, training=False))


def _check_matches_oracle(oracle, name, model, inputs):
    expected = np.load(oracle / f"{name}.expected.npy")
    np.testing.assert_allclose(_predict(model, inputs), expected, atol=1e-5, rtol=0)


def _legacy(oracle, name):
    """[(layer name, [(weight name, array)])] in Keras 2's order, from the oracle."""
    with open(oracle / f"{name}.legacy.json") as f:
        manifest = json.load(f)
    arrays = np.load(oracle / f"{name}.legacy.npz", allow_pickle=False)
    out, i = [], 0
    for layer_name, weight_names in manifest:
        weights = []
        for weight_name in weight_names:
            weights.append((weight_name, arrays[f"w{i}"]))
            i += 1
        out.append((layer_name, weights))
    return out


def write_legacy(path, saved_layers, model_weights=False, chunks=1):
    """Writes the Keras 2 layout: ``layer_names`` on the root (or on ``model_weights`` of a
    full-model file), a group per layer with ``weight_names`` and the datasets they name.
    ``chunks > 1`` splits ``layer_names`` into ``layer_names0``, ... as Keras 2 does for long
    attributes."""
    with h5py.File(path, "w") as f:
        root = f
        if model_weights:
            f.attrs["model_config"] = json.dumps({"class_name": "Functional"})
            root = f.create_group("model_weights")
            f.create_group("optimizer_weights")
        names = np.array([n.encode("utf8") for n, _ in saved_layers])
        if chunks == 1:
            root.attrs["layer_names"] = names
        else:
            for i, part in enumerate(np.array_split(names, chunks)):
                root.attrs[f"layer_names{i}"] = part
        root.attrs["backend"] = b"tensorflow"
        root.attrs["keras_version"] = b"2.15.0"
        for layer_name, weights in saved_layers:
            group = root.create_group(layer_name)
            group.attrs["weight_names"] = np.array([w.encode("utf8") for w, _ in weights],
                                                   dtype="S128")
            for weight_name, value in weights:
                group.create_dataset(weight_name, data=value)
    return path


# -- Keras 3 files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
def test_keras3_weights_file_gives_keras_predictions(oracle, name):
    model, inputs = _build(name)
    path = oracle / f"{name}.weights.h5"
    assert is_keras_h5(path)
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, name, model, inputs)


def test_keras3_file_loads_into_equivalent_functional_of_a_sequential(oracle):
    # Keys are structural (class names in order), so a functional rebuild of the Sequential
    # 'mlp' with other layer names reads the same file.
    x = keraslite.Input((6,))
    y = layers.Dense(4, activation="softmax")(layers.Dense(8, activation="relu")(x))
    model = keraslite.Model(x, y)
    load_keras_weights(model, oracle / "mlp.weights.h5")
    _check_matches_oracle(oracle, "mlp", model, CASES["mlp"](keraslite)[1])


# -- legacy Keras 2 files --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mlp", "cnn", "nested", "bidirectional", "attention",
                                  "recurrent", "assorted", "subclassed"])
def test_legacy_file_gives_keras_predictions(oracle, tmp_path, name):
    path = write_legacy(tmp_path / f"{name}.h5", _legacy(oracle, name))
    model, inputs = _build(name)
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, name, model, inputs)


@pytest.mark.parametrize("name", ["cnn", "nested"])
def test_legacy_full_model_file_reads_model_weights_group(oracle, tmp_path, name):
    path = write_legacy(tmp_path / f"{name}.h5", _legacy(oracle, name), model_weights=True)
    model, inputs = _build(name)
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, name, model, inputs)


def test_legacy_layers_matched_by_order_when_names_differ(oracle, tmp_path):
    saved = [(f"renamed_{i}", [(f"renamed_{i}/{w.split('/', 1)[1]}", v) for w, v in weights])
             for i, (_, weights) in enumerate(_legacy(oracle, "cnn"))]
    path = write_legacy(tmp_path / "renamed.h5", saved)
    model, inputs = _build("cnn")
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, "cnn", model, inputs)


def test_legacy_layers_matched_by_name_when_file_order_differs(oracle, tmp_path):
    path = write_legacy(tmp_path / "reversed.h5", list(reversed(_legacy(oracle, "cnn"))))
    model, inputs = _build("cnn")
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, "cnn", model, inputs)


def test_legacy_nested_model_weights_matched_by_saved_names(oracle, tmp_path):
    # Keras 2 listed the nested model's trainable weights first (its BatchNormalization's moving
    # statistics last); the saved names put each array in its place even for a frozen model.
    path = write_legacy(tmp_path / "nested.h5", _legacy(oracle, "nested"))
    model, inputs = _build("nested")
    model.get_layer("inner").trainable = False
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, "nested", model, inputs)


def test_legacy_keras1_weight_names_matched_by_order(oracle, tmp_path):
    # The keras-applications ImageNet files name weights like 'block1_conv1_W_1:0'.
    saved = [(n, [(f"{n}_{'W' if v.ndim > 1 else 'b'}_{i}:0", v) for i, (_, v) in enumerate(ws)])
             for n, ws in _legacy(oracle, "mlp")]
    path = write_legacy(tmp_path / "keras1.h5", saved)
    model, inputs = _build("mlp")
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, "mlp", model, inputs)


def test_legacy_chunked_layer_names_attribute(oracle, tmp_path):
    path = write_legacy(tmp_path / "chunked.h5", _legacy(oracle, "cnn"), chunks=3)
    model, inputs = _build("cnn")
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, "cnn", model, inputs)


@pytest.mark.parametrize("name", ["mlp", "cnn", "multi_input", "nested"])
def test_keras3_full_model_h5_gives_keras_predictions(oracle, name):
    # Keras 3's model.save("x.h5") stores layer_names/weight_names as variable-length strings.
    path = oracle / f"{name}.model.h5"
    with h5py.File(path, "r") as f:
        names = f["model_weights"].attrs.get_id("layer_names")
        assert h5py.check_string_dtype(names.dtype).length is None
    model, inputs = _build(name)
    model.load_weights(path)
    _check_matches_oracle(oracle, name, model, inputs)


# -- mismatches ------------------------------------------------------------------------------------
def _mlp(hidden=8, out=4, extra=False, use_bias=True):
    stack = [keraslite.Input((6,)), layers.Dense(hidden, activation="relu", name="hidden"),
             layers.Dense(out, activation="softmax", name="probs", use_bias=use_bias)]
    if extra:
        stack.append(layers.Dense(2, name="extra"))
    return keraslite.Sequential(stack)


def _keras3_and_legacy(oracle, tmp_path):
    return [oracle / "mlp.weights.h5", write_legacy(tmp_path / "mlp.h5", _legacy(oracle, "mlp"))]


def test_missing_layer_is_named(oracle, tmp_path):
    for path in _keras3_and_legacy(oracle, tmp_path):
        model = _mlp(extra=True)
        with pytest.raises(ValueError, match=r"layer 'extra' has 2 weight\(s\).*none") as info:
            load_keras_weights(model, path)
        assert "skip_mismatch=True" in str(info.value) and str(path) in str(info.value)


def test_extra_layer_in_file_is_named(oracle, tmp_path):
    # Keras 3 files place layers by structure, so the extra one is named by its place.
    keras3, legacy = _keras3_and_legacy(oracle, tmp_path)
    for path, where in ((keras3, "'layers/dense_1/vars'"), (legacy, "'/probs'")):
        model = keraslite.Sequential([keraslite.Input((6,)), layers.Dense(8, name="hidden")])
        with pytest.raises(ValueError, match=f"the file holds 2 weight.* at {where} for a layer "
                                             "the model does not have"):
            load_keras_weights(model, path)


def test_shape_mismatch_names_layer_weight_and_both_shapes(oracle, tmp_path):
    for path in _keras3_and_legacy(oracle, tmp_path):
        model = _mlp(out=5)
        with pytest.raises(ValueError) as info:
            load_keras_weights(model, path)
        message = str(info.value)
        assert "layer 'probs' weight 0 ('kernel')" in message
        assert "(8, 5) in the model but (8, 4) in the file" in message


def test_weight_count_mismatch(oracle, tmp_path):
    for path in _keras3_and_legacy(oracle, tmp_path):
        with pytest.raises(ValueError, match=r"layer 'probs' has 1 weight\(s\) \[kernel \(8, 4\)\]"
                                             r" but the file holds 2"):
            load_keras_weights(_mlp(use_bias=False), path)


def test_failed_load_changes_nothing(oracle, tmp_path):
    for path in _keras3_and_legacy(oracle, tmp_path):
        model = _mlp(out=5)
        before = model.get_weights()
        with pytest.raises(ValueError):
            load_keras_weights(model, path)
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_skip_mismatch_loads_the_rest_with_a_warning(oracle, tmp_path):
    kernel = _legacy(oracle, "mlp")[0][1][0][1]
    for path in _keras3_and_legacy(oracle, tmp_path):
        model = _mlp(out=5, extra=True)
        probs_before = model.get_layer("probs").get_weights()
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            load_keras_weights(model, path, skip_mismatch=True)
        messages = " ".join(str(w.message) for w in record)
        assert "layer 'probs'" in messages and "layer 'extra'" in messages
        np.testing.assert_array_equal(model.get_layer("hidden").get_weights()[0], kernel)
        for a, b in zip(probs_before, model.get_layer("probs").get_weights()):
            np.testing.assert_array_equal(a, b)


def test_legacy_skip_mismatch_with_different_layer_counts_matches_by_name(oracle, tmp_path):
    # Transfer learning: a file of the base layers, a model with a new head.
    saved = _legacy(oracle, "mlp")
    assert saved[0][0] == "hidden"
    path = write_legacy(tmp_path / "base.h5", saved[:1])
    model = _mlp(extra=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        load_keras_weights(model, path, skip_mismatch=True)
    assert {"probs", "extra"} <= {n for w in record for n in ("probs", "extra")
                                  if f"'{n}'" in str(w.message)}
    np.testing.assert_array_equal(model.get_layer("hidden").get_weights()[0], saved[0][1][0][1])


def test_unbuilt_model_is_refused(oracle):
    model = keraslite.Sequential([layers.Dense(8), layers.Dense(4)])
    with pytest.raises(ValueError, match="build"):
        load_keras_weights(model, oracle / "mlp.weights.h5")


def test_optimizer_group_is_ignored(oracle, tmp_path):
    path = tmp_path / "with_optimizer.weights.h5"
    with open(oracle / "mlp.weights.h5", "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
    with h5py.File(path, "a") as f:
        f.create_dataset("optimizer/vars/0", data=np.int64(3))
        f.create_dataset("optimizer/vars/1", data=np.zeros((6, 8), "float32"))
    model, inputs = _build("mlp")
    load_keras_weights(model, path)
    _check_matches_oracle(oracle, "mlp", model, inputs)


def test_is_keras_h5(oracle, tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    assert is_keras_h5(oracle / "cnn.weights.h5")
    assert not is_keras_h5(text)
    assert not is_keras_h5(tmp_path / "missing.h5")
    assert not is_keras_h5(tmp_path)
