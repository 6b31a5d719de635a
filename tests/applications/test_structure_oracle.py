"""Every Keras family keraslite ships has Keras 3's structure: parameter count, output shape,
layer classes and names, and every weight's name, shape and order (what loading Keras's
published weight files relies on). Keras 3 is the test-time oracle (one cached subprocess)."""
from __future__ import annotations

import re

import pytest

import keraslite
from keraslite import applications
from tests.applications.oracle_cache import run_script

# [Keras function name, kwargs]: the required five at full size with the classifier, the
# others small and headless (structure does not depend on the image size).
SPECS = [
    ["VGG16", {}],
    ["VGG19", {}],
    ["ResNet50", {}],
    ["MobileNetV2", {}],
    ["VGG16", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["VGG19", {"include_top": False, "input_shape": [48, 40, 3], "pooling": "max"}],
    ["ResNet50", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "max"}],
    ["ResNet101", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["ResNet152", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["ResNet50V2", {"include_top": True, "input_shape": [32, 32, 3], "classes": 7}],
    ["ResNet101V2", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["ResNet152V2", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["MobileNetV2", {"include_top": False, "input_shape": [96, 96, 3], "alpha": 0.35}],
    ["MobileNetV2", {"include_top": True, "input_shape": [33, 35, 3], "alpha": 1.4,
                     "classes": 5, "classifier_activation": None}],
    ["MobileNet", {"include_top": True, "input_shape": [32, 32, 3], "classes": 6,
                   "alpha": 0.5}],
    ["MobileNet", {"include_top": False, "input_shape": [40, 40, 3], "depth_multiplier": 2,
                   "pooling": "max"}],
    ["DenseNet121", {"include_top": True, "input_shape": [32, 32, 3], "classes": 3}],
    ["DenseNet169", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["DenseNet201", {"include_top": False, "input_shape": [32, 32, 3]}],
]
# Added later, kept apart so the cached Keras result of SPECS stays valid.
MORE_SPECS = [
    ["Xception", {"include_top": True, "input_shape": [71, 71, 3], "classes": 4}],
    ["Xception", {"include_top": False, "input_shape": [80, 75, 3], "pooling": "avg"}],
    ["InceptionV3", {"include_top": True, "input_shape": [75, 75, 3], "classes": 3}],
    ["MobileNetV3Small", {"input_shape": [32, 32, 3], "classes": 5}],
    ["MobileNetV3Large", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg",
                          "alpha": 0.75}],
    ["MobileNetV3Small", {"include_top": False, "minimalistic": True}],
]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace("2_d", "2d")


def _normalize(name: str, class_name: str) -> str:
    """Automatic names (``global_average_pooling2d_3``) differ by a counter between
    processes; a given name is compared as it is."""
    base = _snake(class_name)
    return base if re.fullmatch(re.escape(base) + r"(_\d+)?", name) else name


def _norm_path(path: str, layers_by_name: dict) -> str:
    layer, _, rest = path.partition("/")
    cls = layers_by_name.get(layer)
    return f"{_normalize(layer, cls)}/{rest}" if cls else path


def _real_layers(model):
    """keraslite lists the ops applied to symbolic tensors (MobileNetV3's ``x + 3``) as
    OpLayers; Keras's ``model.layers`` leaves its ops out. They hold no weights."""
    return [layer for layer in model.layers if type(layer).__name__ != "OpLayer"]


def describe(model) -> dict:
    classes = {layer.name: type(layer).__name__ for layer in _real_layers(model)}
    return {
        "params": int(model.count_params()),
        "name": model.name,
        "output_shape": list(model.output_shape),
        "layers": [[type(layer).__name__, _normalize(layer.name, type(layer).__name__),
                    [[_norm_path(w.path, classes), list(w.shape)] for w in layer.weights]]
                   for layer in _real_layers(model)],
        "weights": [[_norm_path(w.path, classes), list(w.shape)] for w in model.weights],
    }


def _normalize_keras(entry: dict) -> dict:
    classes = {name: cls for cls, name, _ in entry["layers"]}
    return {
        "params": entry["params"],
        "name": entry["name"],
        "output_shape": entry["output_shape"],
        "layers": [[cls, _normalize(name, cls),
                    [[_norm_path(p, classes), s] for p, s in ws]]
                   for cls, name, ws in entry["layers"]],
        "weights": [[_norm_path(p, classes), s] for p, s in entry["weights"]],
    }


@pytest.fixture(scope="module")
def keras_structures():
    return run_script("keras_oracle.py", SPECS)[0] + run_script("keras_oracle.py", MORE_SPECS)[0]


def _build(fn_name: str, kwargs: dict):
    kwargs = dict(kwargs)
    if kwargs.get("input_shape") is not None:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    return getattr(applications, fn_name)(weights=None, **kwargs)


@pytest.mark.parametrize("index", range(len(SPECS + MORE_SPECS)),
                         ids=[f"{f}-{'-'.join(f'{k}={v}' for k, v in kw.items())}"
                              for f, kw in SPECS + MORE_SPECS])
def test_same_structure_as_keras(index, keras_structures):
    fn_name, kwargs = (SPECS + MORE_SPECS)[index]
    ours = describe(_build(fn_name, kwargs))
    theirs = _normalize_keras(keras_structures[index])
    assert ours["params"] == theirs["params"]
    assert ours["output_shape"] == theirs["output_shape"]
    assert ours["name"] == theirs["name"]
    ours_layers = [(c, n) for c, n, _ in ours["layers"]]
    theirs_layers = [(c, n) for c, n, _ in theirs["layers"]]
    assert ours_layers == theirs_layers
    assert ours["layers"] == theirs["layers"]
    assert ours["weights"] == theirs["weights"]


def _alexnet_params(size: int, classes: int) -> int:
    """Closed form from the layer sizes (torchvision's AlexNet: 61,100,840 at 224, 1000)."""
    convs = [(3, 64, 11), (64, 192, 5), (192, 384, 3), (384, 256, 3), (256, 256, 3)]
    total = sum(k * k * cin * cout + cout for cin, cout, k in convs)
    dense = [(256 * 6 * 6, 4096), (4096, 4096), (4096, classes)]
    return total + sum(i * o + o for i, o in dense)


@pytest.mark.parametrize("size,classes", [(224, 1000), (63, 10)])
def test_alexnet_parameter_count(size, classes):
    model = applications.AlexNet(weights=None, input_shape=(size, size, 3), classes=classes)
    assert model.count_params() == _alexnet_params(size, classes)
    assert model.output_shape == (None, classes)
