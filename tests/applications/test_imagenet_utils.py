"""preprocess_input in its three modes against the formulas written out in NumPy (NumPy arrays,
backend tensors and symbolic tensors), decode_predictions from a local class index and from a
loopback download, and the AdaptiveAveragePooling2D layer AlexNet uses against a loop."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

import keraslite
from keraslite import applications, ops
from keraslite.applications import imagenet_utils
from tests.utils.local_http import local_server


def _reference(x, mode):
    x = x.astype("float64")
    if mode == "tf":
        return x / 127.5 - 1
    if mode == "torch":
        return (x / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    bgr = x[..., ::-1]
    return bgr - np.array([103.939, 116.779, 123.68])


@pytest.mark.parametrize("module,mode", [
    (applications.vgg16, "caffe"), (applications.resnet, "caffe"),
    (applications.mobilenet_v2, "tf"), (applications.resnet_v2, "tf"),
    (applications.densenet, "torch"), (applications.alexnet, "torch"),
])
def test_preprocess_input_modes(module, mode):
    x = np.random.default_rng(0).uniform(0, 255, (2, 5, 4, 3)).astype("float32")
    expected = _reference(x, mode)
    np.testing.assert_allclose(module.preprocess_input(x.copy()), expected, atol=1e-4)
    tensor = module.preprocess_input(ops.convert_to_tensor(x))
    np.testing.assert_allclose(ops.convert_to_numpy(tensor), expected, atol=1e-4)
    # Inside a functional model (symbolic tensors).
    inputs = keraslite.Input((5, 4, 3))
    model = keraslite.Model(inputs, module.preprocess_input(inputs))
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), expected, atol=1e-4)


def test_preprocess_input_channels_first_and_uint8():
    x = np.random.default_rng(1).integers(0, 256, (2, 3, 4, 5)).astype("uint8")
    got = imagenet_utils.preprocess_input(x, data_format="channels_first", mode="caffe")
    expected = _reference(np.moveaxis(x, 1, -1), "caffe")
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), expected, atol=1e-4)
    assert got.dtype == np.float32


def test_preprocess_input_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="keras")
    with pytest.raises(ValueError, match="3 channels"):
        applications.vgg16.preprocess_input(np.zeros((1, 2, 2, 4)))


def _index(n=1000):
    return {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(n)}


def _top(preds, k):
    return [[int(i) for i in np.argsort(row)[::-1][:k]] for row in preds]


def test_decode_predictions_from_a_local_index(tmp_path, monkeypatch):
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(_index()))
    monkeypatch.setattr(imagenet_utils, "_PACKAGED_INDEX", str(path))
    monkeypatch.setattr(imagenet_utils, "_class_index", None)
    preds = np.random.default_rng(2).random((3, 1000)).astype("float32")
    decoded = applications.vgg16.decode_predictions(preds, top=4)
    for row, rows_top, pred in zip(decoded, _top(preds, 4), preds):
        assert [(w, n) for w, n, _ in row] == [(f"n{i:08d}", f"class_{i}") for i in rows_top]
        np.testing.assert_allclose([s for _, _, s in row], pred[rows_top])
    with pytest.raises(ValueError, match=r"\(samples, 1000\).*\(3, 10\)"):
        applications.vgg16.decode_predictions(np.zeros((3, 10)))


def test_decode_predictions_downloads_the_index_once(tmp_path, monkeypatch):
    body = json.dumps(_index()).encode()
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(imagenet_utils, "_PACKAGED_INDEX", str(tmp_path / "absent.json"))
    monkeypatch.setattr(imagenet_utils, "_class_index", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(body).hexdigest())
    with local_server() as server:
        server.files["/imagenet_class_index.json"] = body
        monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_URL",
                            server.url + "/imagenet_class_index.json")
        preds = np.eye(1000, dtype="float32")[[7, 993]]
        decoded = applications.resnet.decode_predictions(preds, top=1)
        assert server.requests["/imagenet_class_index.json"] == 1
    assert decoded == [[("n00000007", "class_7", 1.0)], [("n00000993", "class_993", 1.0)]]
    assert (tmp_path / "home" / "models" / "imagenet_class_index.json").read_bytes() == body


def test_a_class_index_that_is_not_one_is_refused(tmp_path):
    path = tmp_path / "index.json"
    path.write_text(json.dumps({"0": "tench"}))
    with pytest.raises(ValueError, match="not an ImageNet class index"):
        imagenet_utils.read_class_index(path)


@pytest.mark.parametrize("size,out", [(13, 6), (7, 3), (6, 6), (4, 6)])
def test_adaptive_average_pooling(size, out):
    x = np.random.default_rng(3).normal(size=(2, size, size + 1, 4)).astype("float32")
    layer = keraslite.layers.AdaptiveAveragePooling2D(out)
    got = ops.convert_to_numpy(layer(x))
    # Rows and columns have different lengths: the reference bins each axis on its own.
    n, h, w, c = x.shape
    ref = np.zeros((n, out, out, c))
    for i in range(out):
        for j in range(out):
            r0, r1 = (i * h) // out, -(-((i + 1) * h) // out)
            c0, c1 = (j * w) // out, -(-((j + 1) * w) // out)
            ref[:, i, j] = x[:, r0:r1, c0:c1].mean(axis=(1, 2))
    np.testing.assert_allclose(got, ref, atol=1e-5)
    config = layer.get_config()
    assert config["output_size"] == (out, out)
    assert keraslite.layers.AdaptiveAveragePooling2D.from_config(config).output_size == (out, out)


def test_adaptive_average_pooling_bad_output_size():
    with pytest.raises(ValueError, match="output_size"):
        keraslite.layers.AdaptiveAveragePooling2D((6, 0))
