"""Weights for the applications: files written by Keras 3 (the published legacy ``.h5`` layout
and ``.weights.h5``) give Keras's predictions; ``weights="imagenet"`` downloads from a loopback
server into the cache, checks the checksum and works offline afterwards; bad weights fail
clearly and load nothing."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

import keraslite
from keraslite import applications
from keraslite.applications import resnet, weights as weights_lib
from tests.applications.oracle_cache import run_script
from tests.utils.local_http import local_server

# [Keras function name, kwargs, tag]: small images, a 10-class top (softmax keeps outputs in
# [0, 1], so 1e-4 is a meaningful tolerance).
SPECS = [
    ["VGG16", {"input_shape": [32, 32, 3], "classes": 10}, "vgg16"],
    ["ResNet50", {"input_shape": [32, 32, 3], "classes": 10}, "resnet50"],
    ["ResNet50", {"input_shape": [32, 32, 3], "include_top": False, "pooling": "avg"},
     "resnet50_notop"],
    ["MobileNetV2", {"input_shape": [32, 32, 3], "classes": 10, "alpha": 0.35}, "mobilenetv2"],
    ["ResNet50V2", {"input_shape": [32, 32, 3], "classes": 10}, "resnet50v2"],
]
# Added later, kept apart so the cached Keras files of SPECS stay valid. Xception and
# InceptionV3 have unnamed layers: their legacy files are matched by layer order.
MORE_SPECS = [
    ["MobileNet", {"input_shape": [32, 32, 3], "classes": 10, "alpha": 0.25}, "mobilenet"],
    ["DenseNet121", {"input_shape": [32, 32, 3], "classes": 10}, "densenet121"],
    ["Xception", {"input_shape": [71, 71, 3], "include_top": False, "pooling": "avg"},
     "xception_notop"],
    ["InceptionV3", {"input_shape": [75, 75, 3], "classes": 10}, "inception_v3"],
    ["MobileNetV3Small", {"input_shape": [32, 32, 3], "classes": 10}, "mobilenetv3small"],
]


@pytest.fixture(scope="module")
def keras_files():
    return run_script("keras_weights_oracle.py", SPECS)[1]


@pytest.fixture(scope="module")
def more_keras_files():
    return run_script("keras_weights_oracle.py", MORE_SPECS)[1]


def _kwargs(spec_kwargs):
    kwargs = dict(spec_kwargs)
    kwargs["input_shape"] = tuple(kwargs["input_shape"])
    return kwargs


def _check_family(spec, folder):
    fn_name, kwargs, tag = spec
    data = np.load(folder / f"{tag}.npz")
    # The published legacy layout, through the application's weights argument.
    model = getattr(applications, fn_name)(weights=str(folder / f"{tag}.h5"), **_kwargs(kwargs))
    got = np.asarray(model.predict(data["x"], verbose=0))
    assert got.shape == data["y"].shape
    np.testing.assert_allclose(got, data["y"], atol=1e-4, rtol=0)
    # Keras 3's .weights.h5 into the same model (one compiled predict for both files).
    model.set_weights([np.zeros(w.shape, w.dtype) for w in model.get_weights()])
    model.load_weights(str(folder / f"{tag}.weights.h5"))
    np.testing.assert_allclose(np.asarray(model.predict(data["x"], verbose=0)), data["y"],
                               atol=1e-4, rtol=0)


@pytest.mark.parametrize("index", range(len(SPECS)), ids=[tag for _, _, tag in SPECS])
def test_keras_weight_files_give_keras_predictions(index, keras_files):
    _check_family(SPECS[index], keras_files)


@pytest.mark.slow  # deep graphs: about 30 s of compilation each for DenseNet121, InceptionV3
@pytest.mark.parametrize("index", range(len(MORE_SPECS)), ids=[t for _, _, t in MORE_SPECS])
def test_keras_weight_files_of_more_families(index, more_keras_files):
    _check_family(MORE_SPECS[index], more_keras_files)


def test_alexnet_round_trips_through_safetensors(tmp_path):
    model = applications.AlexNet(weights=None, input_shape=(63, 63, 3), include_top=False,
                                 pooling="avg")
    x = np.random.default_rng(1).uniform(0, 255, (2, 63, 63, 3)).astype("float32")
    x = applications.alexnet.preprocess_input(x)
    expected = np.asarray(model.predict(x, verbose=0))
    path = tmp_path / "alexnet.safetensors"
    model.save_weights(path)
    keraslite.backend.clear_session()
    loaded = applications.AlexNet(weights=str(path), input_shape=(63, 63, 3), include_top=False,
                                  pooling="avg")
    np.testing.assert_array_equal(np.asarray(loaded.predict(x, verbose=0)), expected)


def test_file_of_another_architecture_names_the_layer_and_loads_nothing(keras_files):
    with pytest.raises(ValueError, match=r"block1_conv1|conv1_conv|layer"):
        applications.ResNet50(weights=str(keras_files / "vgg16.h5"), input_shape=(32, 32, 3),
                              classes=10)
    # A 10-class file into a 7-class model: the classifier's shapes differ.
    with pytest.raises(ValueError, match=r"predictions"):
        applications.VGG16(weights=str(keras_files / "vgg16.h5"), input_shape=(32, 32, 3),
                           classes=7)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_imagenet_download_cache_checksum_and_offline(keras_files, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "home"))
    body = (keras_files / "resnet50_notop.h5").read_bytes()
    file_name = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    data = np.load(keras_files / "resnet50_notop.npz")
    kwargs = {"include_top": False, "pooling": "avg", "input_shape": (32, 32, 3)}
    with local_server() as server:
        server.files[f"/resnet/{file_name}"] = body
        monkeypatch.setattr(weights_lib, "BASE_URL", server.url + "/")
        # A checksum that does not match: refused, and nothing is left in the cache.
        monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50", ("0" * 32, "0" * 32))
        with pytest.raises(ValueError, match=file_name):
            applications.ResNet50(weights="imagenet", **kwargs)
        cached = tmp_path / "home" / "models" / file_name
        assert not cached.exists()
        # The right checksum: downloaded once, then read from the cache.
        monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50", ("0" * 32, _md5(body)))
        model = applications.ResNet50(weights="imagenet", **kwargs)
        assert cached.is_file() and cached.read_bytes() == body
        assert server.requests[f"/resnet/{file_name}"] == 2
    np.testing.assert_allclose(np.asarray(model.predict(data["x"], verbose=0)), data["y"],
                               atol=1e-4, rtol=0)
    # The server is gone: the cached file is used.
    offline = applications.ResNet50(weights="imagenet", **kwargs)
    for ours, reference in zip(offline.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, reference)


def test_imagenet_offline_without_cache_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "home"))
    with local_server() as server:
        url = server.url + "/"
    monkeypatch.setattr(weights_lib, "BASE_URL", url)  # nothing listens there any more
    with pytest.raises(OSError, match=r"vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5.*"
                                      r"weights="):
        applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))


@pytest.mark.parametrize("build,kwargs,message", [
    (applications.VGG16, {"weights": "imagenet", "classes": 10}, "classes"),
    (applications.ResNet50, {"weights": None, "input_shape": (31, 64, 3),
                             "include_top": False}, "at least 32x32"),
    (applications.AlexNet, {"weights": None, "input_shape": (62, 62, 3)}, "at least 63x63"),
    (applications.MobileNetV2, {"weights": "imagenet", "include_top": False,
                                "input_shape": (96, 96, 1)}, "3 channels"),
    (applications.VGG19, {"weights": "imagenet", "input_shape": (200, 200, 3)},
     r"\(224, 224, 3\)"),
    (applications.ResNet50, {"weights": "imagenet_v2"}, "imagenet_v2"),
    (applications.AlexNet, {"weights": "imagenet"}, "no published ImageNet weights"),
    (applications.VGG16, {"weights": None, "pooling": "mean", "include_top": False}, "pooling"),
    (applications.MobileNetV2, {"weights": "imagenet", "alpha": 0.6, "include_top": False},
     "alpha"),
    (applications.VGG16, {"weights": None, "include_top": True, "input_shape": (None, None, 3)},
     "static"),
])
def test_bad_arguments_raise_clear_value_errors(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)
