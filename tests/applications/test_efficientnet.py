"""EfficientNetB0-B7: Keras 3's structure (the cached Keras oracle), Keras's weight files give
Keras's predictions, one training step, the published file names and checksums, bad input."""
from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

import keraslite
from keraslite import applications
from keraslite.applications import efficientnet, weights as weights_lib
from tests.applications.family_checks import (assert_same_structure, keras_published_files,
                                              requested_file)
from tests.applications.oracle_cache import run_script
from tests.applications.test_structure_oracle import _build, _normalize_keras, describe
from tests.utils.local_http import local_server

# Structure does not depend on the image size: all but B0's default are small and headless
# (Keras's B7 builds slowly; its result is cached across runs and backends).
B0_TOP = ["EfficientNetB0", {}]
STRUCTURE_SPECS = [
    ["EfficientNetB1", {"input_shape": [32, 32, 3], "classes": 7,
                        "classifier_activation": None}],
    ["EfficientNetB2", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["EfficientNetB3", {"include_top": False, "input_shape": [32, 40, 3]}],
    ["EfficientNetB4", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "max"}],
    ["EfficientNetB5", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["EfficientNetB6", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["EfficientNetB7", {"include_top": False, "input_shape": [32, 32, 3]}],
]
# A 10-class top (softmax keeps the outputs in [0, 1], so 1e-4 is a meaningful tolerance).
WEIGHT_SPEC = ["EfficientNetB0", {"input_shape": [32, 32, 3], "classes": 10}, "efficientnetb0"]


@pytest.fixture(scope="module")
def keras_structures():
    return run_script("keras_oracle.py", [B0_TOP] + STRUCTURE_SPECS)[0]


@pytest.fixture(scope="module")
def b0_top():
    return _build(*B0_TOP)


def _assert_same_structure(model, keras_entry):
    ours, theirs = describe(model), _normalize_keras(keras_entry)
    assert ours["params"] == theirs["params"]
    assert (ours["name"], ours["output_shape"]) == (theirs["name"], theirs["output_shape"])
    assert [layer[:2] for layer in ours["layers"]] == [layer[:2] for layer in theirs["layers"]]
    assert ours["layers"] == theirs["layers"]
    assert ours["weights"] == theirs["weights"]


def test_b0_with_the_top_has_keras_structure(b0_top, keras_structures):
    _assert_same_structure(b0_top, keras_structures[0])
    # The figure Keras documents for B0 with the top (not derived from this implementation).
    assert b0_top.count_params() == 5_330_571


@pytest.mark.parametrize("index", range(len(STRUCTURE_SPECS)),
                         ids=[f"{f}-{'-'.join(f'{k}={v}' for k, v in kw.items())}"
                              for f, kw in STRUCTURE_SPECS])
def test_same_structure_as_keras(index, keras_structures):
    # B2-B7 run the same backend-independent building code with other coefficients: each is
    # built on one backend only (B2, B4, B6 on jax; B3, B5, B7 on tensorflow), zero-initialized.
    if index >= 1 and (index % 2 == 1) != (keraslite.backend.backend() == "jax"):
        pytest.skip("this variant's structure is checked under the other backend")
    assert_same_structure(*STRUCTURE_SPECS[index], keras_structures[index + 1])


@pytest.fixture(scope="module")
def keras_files():
    return run_script("keras_positive_variance_oracle.py", [WEIGHT_SPEC])[1]


@pytest.fixture(scope="module")
def loaded_b0(keras_files):
    """B0 built from Keras's legacy ``.h5`` (the published layout), with Keras's data."""
    fn_name, kwargs, tag = WEIGHT_SPEC
    model = applications.EfficientNetB0(weights=str(keras_files / f"{tag}.h5"),
                                        input_shape=tuple(kwargs["input_shape"]), classes=10)
    return model, np.load(keras_files / f"{tag}.npz")


def test_keras_weight_files_give_keras_predictions(loaded_b0, keras_files):
    model, data = loaded_b0
    # Images in 0-255 (the model scales them itself); Keras's batch is in [-1, 1].
    got = np.asarray(model.predict(data["x"], verbose=0))
    assert got.shape == data["y"].shape
    np.testing.assert_allclose(got, data["y"], atol=1e-4, rtol=0)
    # Keras 3's .weights.h5 layout into the same model.
    model.set_weights([np.zeros(w.shape, w.dtype) for w in model.get_weights()])
    model.load_weights(str(keras_files / f"{WEIGHT_SPEC[2]}.weights.h5"))
    np.testing.assert_allclose(np.asarray(model.predict(data["x"], verbose=0)), data["y"],
                               atol=1e-4, rtol=0)


def test_stochastic_depth_and_top_dropout_rates(loaded_b0):
    model = loaded_b0[0]
    drops = {layer.name: layer for layer in model.layers if layer.name.endswith("drop")}
    # 16 blocks; block k (from 0) drops its residual branch at 0.2 * k / 16, and only blocks
    # with a residual connection (stride 1, same width) have one.
    assert sorted(drops) == ["block2b_drop", "block3b_drop", "block4b_drop", "block4c_drop",
                             "block5b_drop", "block5c_drop", "block6b_drop", "block6c_drop",
                             "block6d_drop"]
    assert drops["block2b_drop"].rate == pytest.approx(0.2 * 2 / 16)
    assert drops["block6d_drop"].rate == pytest.approx(0.2 * 14 / 16)
    assert drops["block2b_drop"].noise_shape == (None, 1, 1, 1)
    assert model.get_layer("top_dropout").rate == pytest.approx(0.2)


@pytest.mark.slow  # compiles the forward and backward pass of 240 layers
def test_one_training_step(loaded_b0):
    model, data = loaded_b0
    norm = next(layer for layer in model.layers if type(layer).__name__ == "Normalization")
    stats = [np.asarray(w) for w in norm.get_weights()]
    kernel = np.asarray(model.get_layer("stem_conv").get_weights()[0])
    moving_mean = np.asarray(model.get_layer("stem_bn").get_weights()[2])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    loss = float(np.asarray(model.train_on_batch(data["x"], np.array([3, 7]))))
    assert math.isfinite(loss) and loss > 0
    assert not np.allclose(model.get_layer("stem_conv").get_weights()[0], kernel)
    assert not np.allclose(model.get_layer("stem_bn").get_weights()[2], moving_mean)
    # The input statistics are weights, but not trained (as in Keras).
    for before, after in zip(stats, norm.get_weights()):
        np.testing.assert_array_equal(before, after)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_imagenet_downloads_the_published_file_and_rescales(b0_top, tmp_path, monkeypatch):
    """The published file name and bucket; with ImageNet weights the model divides once more
    by sqrt(std) per channel after the Normalization layer, as the published weights need."""
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "home"))
    source = b0_top
    path = tmp_path / "b0.weights.h5"
    source.save_weights(str(path))
    body = path.read_bytes()
    with local_server() as server:
        server.files["/efficientnetb0.h5"] = body
        monkeypatch.setattr(efficientnet, "BASE_URL", server.url + "/")
        monkeypatch.setitem(efficientnet.WEIGHTS_HASHES, "b0", (_md5(body), "0" * 32))
        model = applications.EfficientNetB0(weights="imagenet")
        assert server.requests["/efficientnetb0.h5"] == 1
    scales = [layer.scale for layer in model.layers if type(layer).__name__ == "Rescaling"]
    assert scales[0] == pytest.approx(1 / 255)
    np.testing.assert_allclose(scales[1], [1 / math.sqrt(s) for s in (0.229, 0.224, 0.225)])
    for ours, reference in zip(model.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(ours, reference)


def test_published_file_names_and_hashes(monkeypatch):
    # The bucket and checksums as the installed Keras package states them (read as literals).
    base_url, hashes = keras_published_files("efficientnet")
    assert efficientnet.BASE_URL == base_url
    assert efficientnet.WEIGHTS_HASHES == hashes
    assert weights_lib.BASE_URL != efficientnet.BASE_URL  # another bucket than the others
    # B5 headless asks for the published no-top file of its variant, whatever the model's name.
    file_name, origin, file_hash = requested_file(
        monkeypatch, applications.EfficientNetB5, include_top=False, name="mine")
    assert (file_name, file_hash) == ("efficientnetb5_notop.h5", hashes["b5"][1])
    assert origin == base_url + "efficientnetb5_notop.h5"


def test_preprocess_input_is_the_identity_and_decode_predictions_is_imagenet():
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    np.testing.assert_array_equal(efficientnet.preprocess_input(x), x)
    preds = np.zeros((1, 1000), "float32")
    preds[0, 1] = 1.0
    assert efficientnet.decode_predictions(preds, top=1)[0][0][:2] == ("n01443537", "goldfish")


@pytest.mark.parametrize("build,kwargs,message", [
    (applications.EfficientNetB0, {"include_top": False, "input_shape": (31, 64, 3)},
     "at least 32x32"),
    (applications.EfficientNetB5, {"include_top": False, "input_shape": (64, 16, 3)},
     "at least 32x32"),
    (applications.EfficientNetB0, {"weights": "imagenet", "classes": 10}, "classes"),
    (applications.EfficientNetB2, {"weights": "imagenet", "input_shape": (224, 224, 3)},
     r"\(260, 260, 3\)"),
    (applications.EfficientNetB0, {"weights": "imagenet", "classifier_activation": "relu"},
     "classifier_activation"),
    (applications.EfficientNetB0, {"include_top": False, "pooling": "mean",
                                   "input_shape": (32, 32, 3)}, "pooling"),
    (applications.EfficientNetB0, {"weights": "no_such_file.h5"}, "no_such_file"),
])
def test_bad_arguments_raise_clear_errors(build, kwargs, message):
    kwargs = {"weights": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        build(**kwargs)
