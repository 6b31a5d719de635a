"""NASNetMobile/NASNetLarge: Keras 3's structure (the cached Keras oracle), Keras's weight files
(the legacy one fetched as the published no-top file from a loopback server) give Keras's
predictions, one training step, the published file names and checksums, bad input."""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import math
import pathlib

import numpy as np
import pytest

import keraslite
from keraslite import applications, config
from keraslite.applications import nasnet
from tests.applications.family_checks import assert_same_structure
from tests.applications.oracle_cache import run_script
from tests.utils.local_http import local_server

SMALL = [32, 32, 3]  # the smallest image NASNet takes
NOTOP = {"include_top": False, "input_shape": SMALL, "pooling": "avg"}
STRUCTURE_SPECS = [
    ["NASNetMobile", {"input_shape": SMALL, "classes": 10}],
    ["NASNetLarge", NOTOP],
]
# Headless, so the same Keras file stands in for the published no-top ImageNet file.
WEIGHT_SPEC = ["NASNetMobile", NOTOP, "nasnet_mobile_notop"]


@pytest.fixture(scope="module")
def keras_structures():
    return run_script("keras_oracle.py", STRUCTURE_SPECS)[0]


def _without_name_scopes(entry: dict) -> dict:
    """Keras builds NASNet inside ``name_scope``s that prefix its weight paths
    (``normal_A_block_0/block_1/.../separable_conv_1_normal_left1_0/depthwise_kernel``);
    keraslite names every weight ``<layer name>/<weight name>`` whatever the scope (see
    ``keraslite.name_scope``). Loading matches layers by name (legacy ``.h5``) or by structure
    (``.weights.h5``), never by these prefixes. The rest of each path must be the same."""
    def strip(path: str) -> str:
        return "/".join(path.split("/")[-2:])

    for _, layer_name, weights in entry["layers"]:
        for path, _ in weights:
            assert path.split("/")[-2] == layer_name, path  # only a scope prefix is dropped
    return {**entry,
            "layers": [[c, n, [[strip(p), s] for p, s in ws]] for c, n, ws in entry["layers"]],
            "weights": [[strip(p), s] for p, s in entry["weights"]]}


@pytest.mark.parametrize("index", range(len(STRUCTURE_SPECS)),
                         ids=["NASNetMobile-top-32", "NASNetLarge-notop-32"])
def test_same_structure_as_keras(index, keras_structures):
    # The building code does not depend on the backend: each variant is built on one only
    # (the mobile one with the top on jax, the large one on tensorflow), zero-initialized.
    if (index == 0) != (keraslite.backend.backend() == "jax"):
        pytest.skip("this variant's structure is checked under the other backend")
    assert_same_structure(*STRUCTURE_SPECS[index],
                          _without_name_scopes(keras_structures[index]))


@pytest.fixture(scope="module")
def keras_files():
    return run_script("keras_weights_oracle.py", [WEIGHT_SPEC])[1]


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture(scope="module")
def imagenet_model(keras_files, tmp_path_factory):
    """Built with ``weights="imagenet"``: Keras's legacy ``.h5`` served under the published
    no-top name from a loopback server, checked against its checksum, cached under Keras's
    cache name."""
    body = (keras_files / f"{WEIGHT_SPEC[2]}.h5").read_bytes()
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch, local_server() as server:
        patch.setenv("KERASLITE_HOME", str(home))
        server.files["/nasnet/NASNet-mobile-no-top.h5"] = body
        patch.setattr(nasnet, "BASE_URL", server.url + "/nasnet/")
        top, (cache_name, published, _) = nasnet.WEIGHTS["mobile"]
        patch.setitem(nasnet.WEIGHTS, "mobile", (top, (cache_name, published, _md5(body))))
        model = applications.NASNetMobile(weights="imagenet", include_top=False,
                                          input_shape=tuple(SMALL), pooling="avg")
        assert server.requests["/nasnet/NASNet-mobile-no-top.h5"] == 1
    assert (home / "models" / "nasnet_mobile_no_top.h5").read_bytes() == body
    return model, np.load(keras_files / f"{WEIGHT_SPEC[2]}.npz")


@pytest.mark.slow  # compiles the forward pass of 770 layers
def test_keras_weight_files_give_keras_predictions(imagenet_model, keras_files):
    model, data = imagenet_model
    got = np.asarray(model.predict(data["x"], verbose=0))
    assert got.shape == data["y"].shape == (2, 1056)
    np.testing.assert_allclose(got, data["y"], atol=1e-4, rtol=0)
    # Keras 3's .weights.h5 layout into the same model.
    model.set_weights([np.zeros(w.shape, w.dtype) for w in model.get_weights()])
    model.load_weights(str(keras_files / f"{WEIGHT_SPEC[2]}.weights.h5"))
    np.testing.assert_allclose(np.asarray(model.predict(data["x"], verbose=0)), data["y"],
                               atol=1e-4, rtol=0)


@pytest.mark.slow  # compiles the forward pass of 770 layers and the backward pass of the top
def test_one_fine_tuning_step(imagenet_model):
    """The last normal cell trained over a frozen backbone, as in transfer learning."""
    model, data = imagenet_model
    last = "_12"  # NASNetMobile's cells 0-3, 5-8 and 9-12
    for layer in model.layers:
        layer.trainable = layer.name.endswith(last)
    frozen = np.asarray(model.get_layer("normal_conv_1_11").get_weights()[0])
    kernel = np.asarray(model.get_layer("normal_conv_1_12").get_weights()[0])
    moving_mean = np.asarray(model.get_layer("normal_bn_1_12").get_weights()[2])
    model.compile(optimizer="sgd", loss="mse")
    loss = float(np.asarray(model.train_on_batch(data["x"], np.zeros((2, 1056), "float32"))))
    assert math.isfinite(loss) and loss > 0
    assert not np.allclose(model.get_layer("normal_conv_1_12").get_weights()[0], kernel)
    assert not np.allclose(model.get_layer("normal_bn_1_12").get_weights()[2], moving_mean)
    np.testing.assert_array_equal(model.get_layer("normal_conv_1_11").get_weights()[0], frozen)


def _keras_nasnet_literals() -> set:
    """Every string constant of the installed Keras's NASNet source, read as literals (nothing
    of Keras is imported or run)."""
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("Keras 3 (the oracle) is not installed")
    source = pathlib.Path(list(spec.submodule_search_locations)[0]) / "src" / "applications"
    tree = ast.parse((source / "nasnet.py").read_text())
    found = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    # The origins are f-strings on BASE_WEIGHTS_PATH: joined here.
    base = next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "")
                == "BASE_WEIGHTS_PATH")
    return found | {base + name for name in found}


def test_published_file_names_and_hashes():
    # Cache names, published files and checksums as the installed Keras states them; the
    # loopback fixture above checks that they are what a build asks for.
    literals = _keras_nasnet_literals()
    for variant in ("mobile", "large"):
        for cache_name, published, md5 in nasnet.WEIGHTS[variant]:
            assert {cache_name, md5, nasnet.BASE_URL + published} <= literals
    assert nasnet.WEIGHTS["mobile"][1][1] == "NASNet-mobile-no-top.h5"


def test_preprocess_input_is_tf_mode_and_decode_predictions_is_imagenet():
    x = np.random.default_rng(1).uniform(0, 255, (2, 5, 5, 3)).astype("float32")
    np.testing.assert_allclose(nasnet.preprocess_input(x), x / 127.5 - 1.0, rtol=1e-6,
                               atol=1e-6)
    preds = np.zeros((1, 1000), "float32")
    preds[0, 1] = 1.0
    assert nasnet.decode_predictions(preds, top=1)[0][0][:2] == ("n01443537", "goldfish")


@pytest.mark.parametrize("build,kwargs,message", [
    (applications.NASNetMobile, {"include_top": False, "input_shape": (31, 64, 3)},
     r"at least 32x32.*\(31, 64, 3\)"),
    (applications.NASNetLarge, {"include_top": False, "input_shape": (64, 16, 3)},
     "at least 32x32"),
    (applications.NASNetMobile, {"include_top": False, "input_shape": (None, None, 3)},
     r"static `input_shape`.*\(None, None, 3\)"),
    (applications.NASNetMobile, {"weights": "imagenet", "classes": 10}, "classes"),
    (applications.NASNetMobile, {"weights": "imagenet", "input_shape": (331, 331, 3)},
     r"\(224, 224, 3\)"),
    (applications.NASNetLarge, {"weights": "imagenet", "input_shape": (224, 224, 3)},
     r"\(331, 331, 3\)"),
    (applications.NASNetMobile, {"weights": "imagenet", "classifier_activation": "relu"},
     "classifier_activation"),
    (applications.NASNetMobile, {"classifier_activation": "no_such"},
     "classifier_activation"),
    (applications.NASNetLarge, {"include_top": False, "pooling": "mean"}, "pooling"),
    (applications.NASNetMobile, {"weights": "no/such/file.h5"}, "no/such/file.h5"),
])
def test_bad_arguments_raise_clear_errors(build, kwargs, message):
    kwargs = {"weights": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


def test_bad_input_shape_type_and_channels_first():
    with pytest.raises(TypeError, match="input_shape.*224"):
        applications.NASNetMobile(weights=None, input_shape=224)
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="channels_last"):
            applications.NASNetMobile(weights=None)
    finally:
        config.set_image_data_format(previous)
