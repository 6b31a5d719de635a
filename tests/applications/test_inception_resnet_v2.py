"""InceptionResNetV2: Keras 3's structure (the cached Keras oracle); Keras's weight files,
fetched as the published ImageNet file from a loopback server, give Keras's predictions; one
training step; its scaled residual layer; bad input."""
from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

import keraslite
from keraslite import applications
from keraslite.applications import inception_resnet_v2, weights as weights_lib
from tests.applications.oracle_cache import run_script
from tests.applications.test_structure_oracle import _build, _normalize_keras, describe
from tests.utils.local_http import local_server

NOTOP = {"include_top": False, "input_shape": [75, 75, 3], "pooling": "avg"}
STRUCTURE_SPECS = [
    ["InceptionResNetV2", {"input_shape": [75, 75, 3], "classes": 10}],
    ["InceptionResNetV2", NOTOP],
]
# Headless, so the same Keras file stands in for the published no-top ImageNet file.
WEIGHT_SPEC = ["InceptionResNetV2", NOTOP, "inception_resnet_v2_notop"]
PUBLISHED_NOTOP = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"


@pytest.fixture(scope="module")
def keras_structures():
    return run_script("keras_oracle.py", STRUCTURE_SPECS)[0]


def _assert_same_structure(model, keras_entry):
    ours, theirs = describe(model), _normalize_keras(keras_entry)
    assert ours["params"] == theirs["params"]
    assert (ours["name"], ours["output_shape"]) == (theirs["name"], theirs["output_shape"])
    assert [layer[:2] for layer in ours["layers"]] == [layer[:2] for layer in theirs["layers"]]
    assert ours["layers"] == theirs["layers"]
    assert ours["weights"] == theirs["weights"]


def test_same_structure_as_keras_with_the_top(keras_structures):
    _assert_same_structure(_build(*STRUCTURE_SPECS[0]), keras_structures[0])


@pytest.fixture(scope="module")
def keras_files():
    return run_script("keras_weights_oracle.py", [WEIGHT_SPEC])[1]


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture(scope="module")
def imagenet_model(keras_files, tmp_path_factory):
    """Built with ``weights="imagenet"``: Keras's legacy ``.h5`` served under the published
    no-top name from a loopback server, checked against its checksum, cached."""
    body = (keras_files / f"{WEIGHT_SPEC[2]}.h5").read_bytes()
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch, local_server() as server:
        patch.setenv("KERASLITE_HOME", str(home))
        server.files[f"/inception_resnet_v2/{PUBLISHED_NOTOP}"] = body
        patch.setattr(weights_lib, "BASE_URL", server.url + "/")
        patch.setattr(inception_resnet_v2, "_HASHES", ("0" * 32, _md5(body)))
        model = applications.InceptionResNetV2(weights="imagenet", include_top=False,
                                               input_shape=(75, 75, 3), pooling="avg")
        assert server.requests[f"/inception_resnet_v2/{PUBLISHED_NOTOP}"] == 1
    assert (home / "models" / PUBLISHED_NOTOP).read_bytes() == body
    return model, np.load(keras_files / f"{WEIGHT_SPEC[2]}.npz")


@pytest.mark.slow  # compiles the forward pass of 780 layers
def test_headless_structure_and_keras_weight_files_give_keras_predictions(
        imagenet_model, keras_structures, keras_files):
    model, data = imagenet_model
    _assert_same_structure(model, keras_structures[1])
    got = np.asarray(model.predict(data["x"], verbose=0))
    assert got.shape == data["y"].shape
    np.testing.assert_allclose(got, data["y"], atol=1e-4, rtol=0)
    # Keras 3's .weights.h5 layout into the same model.
    model.set_weights([np.zeros(w.shape, w.dtype) for w in model.get_weights()])
    model.load_weights(str(keras_files / f"{WEIGHT_SPEC[2]}.weights.h5"))
    np.testing.assert_allclose(np.asarray(model.predict(data["x"], verbose=0)), data["y"],
                               atol=1e-4, rtol=0)


@pytest.mark.slow  # compiles the forward pass of 780 layers
def test_one_fine_tuning_step(imagenet_model):
    """The top block trained over a frozen backbone, as in transfer learning (a full backward
    pass through 780 layers would cost this suite more than it checks)."""
    model, data = imagenet_model
    top = {"conv_7b", "conv_7b_bn"}
    for layer in model.layers:
        layer.trainable = layer.name in top
    frozen = np.asarray(model.get_layer("block8_10_conv").get_weights()[0])
    kernel = np.asarray(model.get_layer("conv_7b").get_weights()[0])
    moving_mean = np.asarray(model.get_layer("conv_7b_bn").get_weights()[1])
    model.compile(optimizer="sgd", loss="mse")
    target = np.zeros((2,) + tuple(model.output_shape[1:]), "float32")
    loss = float(np.asarray(model.train_on_batch(data["x"], target)))
    assert math.isfinite(loss) and loss > 0
    assert not np.allclose(model.get_layer("conv_7b").get_weights()[0], kernel)
    # BatchNormalization(scale=False): beta, then the moving statistics, which training moves.
    assert not np.allclose(model.get_layer("conv_7b_bn").get_weights()[1], moving_mean)
    np.testing.assert_array_equal(model.get_layer("block8_10_conv").get_weights()[0], frozen)


def test_custom_scale_layer_adds_the_scaled_residual():
    rng = np.random.default_rng(0)
    x, r = rng.normal(size=(2, 3, 3, 4)).astype("float32"), rng.normal(
        size=(2, 3, 3, 4)).astype("float32")
    layer = keraslite.layers.CustomScaleLayer(0.17)
    np.testing.assert_allclose(np.asarray(layer([x, r])), x + 0.17 * r, rtol=1e-6, atol=1e-6)
    assert layer.get_config()["scale"] == pytest.approx(0.17)
    clone = keraslite.layers.CustomScaleLayer.from_config(layer.get_config())
    np.testing.assert_allclose(np.asarray(clone([x, r])), x + 0.17 * r, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match=r"same shape.*\(2, 3, 3, 4\).*\(2, 3, 3, 5\)"):
        keraslite.layers.CustomScaleLayer(0.1)([x, np.zeros((2, 3, 3, 5), "float32")])
    with pytest.raises(TypeError, match="scale"):
        keraslite.layers.CustomScaleLayer("big")


def test_preprocess_input_is_tf_mode_and_published_file_names():
    x = np.random.default_rng(1).uniform(0, 255, (2, 5, 5, 3)).astype("float32")
    np.testing.assert_allclose(inception_resnet_v2.preprocess_input(x), x / 127.5 - 1.0,
                               rtol=1e-6, atol=1e-6)
    preds = np.zeros((1, 1000), "float32")
    preds[0, 1] = 1.0
    assert inception_resnet_v2.decode_predictions(preds, top=1)[0][0][:2] == ("n01443537",
                                                                              "goldfish")
    # The published checksums of the top and no-top files.
    assert inception_resnet_v2._HASHES == ("e693bd0210a403b3192acc6073ad2e96",
                                           "d19885ff4a710c122648d3b5c3b684e4")


@pytest.mark.parametrize("kwargs,message", [
    ({"include_top": False, "input_shape": (74, 75, 3)}, "at least 75x75"),
    ({"include_top": False, "input_shape": (75, 60, 3)}, "at least 75x75"),
    ({"weights": "imagenet", "classes": 10}, "classes"),
    ({"weights": "imagenet", "input_shape": (224, 224, 3)}, r"\(299, 299, 3\)"),
    ({"weights": "imagenet", "classifier_activation": "relu"}, "classifier_activation"),
    ({"include_top": False, "pooling": "mean"}, "pooling"),
])
def test_bad_arguments_raise_clear_errors(kwargs, message):
    kwargs = {"weights": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        applications.InceptionResNetV2(**kwargs)
