"""preprocess_input in its three modes against the formulas written out in NumPy (NumPy arrays,
backend tensors and symbolic tensors), decode_predictions from a local class index, from a
loopback download and offline from the class index shipped in the package (checked against the
published checksum, top-k against NumPy's argsort), and the AdaptiveAveragePooling2D layer
AlexNet uses against a loop."""
from __future__ import annotations

import hashlib
import re
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


def _shipped_index():
    # Read with the json module on its own, not through the code under test.
    with open(imagenet_utils._PACKAGED_INDEX, encoding="utf-8") as f:
        return json.load(f)


def test_the_shipped_class_index_is_the_published_one():
    # The checksum Keras verifies its downloaded index against: same bytes, same classes.
    with open(imagenet_utils._PACKAGED_INDEX, "rb") as f:
        assert hashlib.md5(f.read()).hexdigest() == imagenet_utils.CLASS_INDEX_HASH
    index = _shipped_index()
    assert sorted(index, key=int) == [str(i) for i in range(1000)]
    wnids = [index[str(i)][0] for i in range(1000)]
    # WordNet noun ids, distinct, and in the sorted order that defines ImageNet's class numbers.
    assert len(set(wnids)) == 1000 and wnids == sorted(wnids)
    assert all(w.startswith("n") and len(w) == 9 and w[1:].isdigit() for w in wnids)


def test_the_class_index_ships_in_the_wheel():
    tomllib = pytest.importorskip("tomllib")
    import fnmatch
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["keraslite.applications"]
    assert any(fnmatch.fnmatch("data/imagenet_class_index.json", p) for p in patterns)


def test_decode_predictions_offline_from_the_shipped_index(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("decode_predictions tried to download the class index")

    monkeypatch.setattr(imagenet_utils, "get_file", no_network)
    monkeypatch.setattr(imagenet_utils, "_class_index", None)
    index = _shipped_index()
    # Distinct scores, so the top-k order is defined; a backend tensor as a model returns it.
    preds = np.random.default_rng(4).permutation(4000).reshape(4, 1000).astype("float32")
    preds /= preds.sum(axis=1, keepdims=True)
    for module in (applications.vgg16, applications.mobilenet_v2, applications.densenet):
        decoded = module.decode_predictions(ops.convert_to_tensor(preds), top=5)
        assert len(decoded) == 4
        for row, top, pred in zip(decoded, _top(preds, 5), preds):
            assert [(w, n) for w, n, _ in row] == [tuple(index[str(i)]) for i in top]
            np.testing.assert_allclose([s for _, _, s in row], pred[top], rtol=1e-6)
    one_hot = np.eye(1000, dtype="float32")[[0, 999]]
    assert [r[0][1] for r in applications.vgg16.decode_predictions(one_hot, top=1)] == [
        index["0"][1], index["999"][1]]


@pytest.mark.parametrize("shape", [(1000,), (2, 10), (2, 1000, 1), (0,)])
def test_decode_predictions_bad_shapes_named(shape):
    with pytest.raises(ValueError, match=r"\(samples, 1000\).*" + re.escape(str(shape))):
        applications.resnet.decode_predictions(np.zeros(shape, "float32"))


@pytest.mark.parametrize("top", [0, -1, 1001, 2.5, True, "5"])
def test_decode_predictions_bad_top_named(top):
    with pytest.raises(ValueError, match=r"`top`.*" + re.escape(repr(top))):
        applications.vgg16.decode_predictions(np.zeros((1, 1000), "float32"), top=top)


def _generator():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "make_imagenet_class_index.py"
    spec = importlib.util.spec_from_file_location("make_imagenet_class_index", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_rebuilds_the_index_from_a_wheel_layout(tmp_path):
    import zipfile

    generator = _generator()
    # A wheel laid out as timm's, made from the shipped index: the synsets in class order and
    # WordNet-style lemma lines (first lemma with spaces, then synonyms), plus an unused synset.
    index = _shipped_index()
    synsets = [index[str(i)][0] for i in range(1000)]
    lemmas = [f"{w}\t{index[str(i)][1].replace('_', ' ')}, synonym {i}"
              for i, w in enumerate(synsets)] + ["n99999999\tnot an ImageNet-1k class"]
    wheel = tmp_path / "timm-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(generator.SYNSETS, "\n".join(synsets) + "\n")
        z.writestr(generator.LEMMAS, "\n".join(lemmas) + "\n")
    out = tmp_path / "index.json"
    assert generator.main([str(wheel), "--output", str(out)]) == 0
    assert out.read_bytes() == open(imagenet_utils._PACKAGED_INDEX, "rb").read()
    with pytest.raises(ValueError, match="no lemma for synset n01440764"):
        generator.class_index(synsets, {})
    with pytest.raises(ValueError, match="1000 distinct synsets, found 999"):
        generator.class_index(synsets[:999], {})
    with pytest.raises(ValueError, match="lacks"):
        with zipfile.ZipFile(tmp_path / "empty.whl", "w") as z:
            z.writestr("timm/__init__.py", "")
        generator.read_wheel(str(tmp_path / "empty.whl"))
