"""EfficientNetV2: Keras 3's structure for every variant (the cached Keras oracle), Keras's
weight files giving Keras's predictions, one training step, the published weight files and bad
input."""
from __future__ import annotations

import numpy as np
import pytest

import keraslite
from keraslite import applications, layers
from keraslite.applications import efficientnet_v2
from keraslite.models import Functional
from tests.applications.family_checks import (assert_same_structure, keras_published_files,
                                              requested_file, train_one_step)
from tests.applications.oracle_cache import run_script
from tests.applications.test_weights import _check_family

# [Keras function name, kwargs]: B0 with the ImageNet top (7,200,312 parameters in Keras) and
# with another classifier; every variant headless and small.
SPECS = [
    ["EfficientNetV2B0", {}],
    ["EfficientNetV2B0", {"input_shape": [32, 32, 3], "classes": 7}],
    ["EfficientNetV2B1", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["EfficientNetV2B2", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["EfficientNetV2B3", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "max"}],
    ["EfficientNetV2S", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["EfficientNetV2M", {"include_top": False, "input_shape": [32, 32, 3],
                         "include_preprocessing": False}],
    ["EfficientNetV2L", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
]
WEIGHT_SPECS = [["EfficientNetV2B0", {"input_shape": [32, 32, 3], "classes": 10},
                 "efficientnetv2_b0"]]


@pytest.fixture(scope="module")
def keras_structures():
    return run_script("keras_oracle.py", SPECS)[0]


@pytest.mark.parametrize("index", range(len(SPECS)),
                         ids=[f"{f}-{'-'.join(f'{k}={v}' for k, v in kw.items())}"
                              for f, kw in SPECS])
def test_same_structure_as_keras(index, keras_structures):
    if index >= 2 and keraslite.backend.backend() != "tensorflow":
        # The larger variants run the same backend-independent building code with other
        # tables; each is built on one backend only, to keep the suite's time down.
        pytest.skip("the larger variants' structure is checked under KERASLITE_BACKEND=tensorflow")
    assert_same_structure(*SPECS[index], keras_structures[index])


def test_keras_weight_files_give_keras_predictions():
    _check_family(WEIGHT_SPECS[0], run_script("keras_weights_oracle.py", WEIGHT_SPECS)[1])


def _stem_conv_numpy(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """B0's input scaling and its 3x3 stride-2 "same" stem convolution, in NumPy."""
    z = (x / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    z = np.pad(z, ((0, 0), (0, 1), (0, 1), (0, 0)))  # "same" at stride 2: the extra row last
    windows = np.lib.stride_tricks.sliding_window_view(z, (3, 3), axis=(1, 2))[:, ::2, ::2]
    return np.einsum("nijkab,abkc->nijc", windows, kernel)


def test_one_training_step():
    model = applications.EfficientNetV2B0(weights=None, input_shape=(32, 32, 3), classes=3)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
    kernel = model.get_layer("stem_conv").get_weights()[0]
    old_mean = np.asarray(model.get_layer("stem_bn").moving_mean)
    head = [w.copy() for w in model.get_layer("predictions").get_weights()]
    loss = train_one_step(model, x, y)
    assert np.isfinite(loss) and loss > 0
    # The stem's batch normalization sees the stem convolution's output (nothing random before
    # it): one step moves its moving mean 10% (momentum 0.9) towards that batch's mean.
    batch_mean = _stem_conv_numpy(x.astype("float64"), kernel).mean(axis=(0, 1, 2))
    np.testing.assert_allclose(np.asarray(model.get_layer("stem_bn").moving_mean),
                               0.9 * old_mean + 0.1 * batch_mean, rtol=1e-4, atol=1e-5)
    for before, after in zip(head, model.get_layer("predictions").get_weights()):
        assert not np.allclose(before, after)


def test_imagenet_points_at_the_published_files(monkeypatch):
    base, hashes = keras_published_files("efficientnet_v2")
    # Keras keys the table by the name's suffix ("b0", "-s"); keraslite by the variant.
    assert efficientnet_v2.WEIGHTS_HASHES == {k.lstrip("-"): tuple(v) for k, v in hashes.items()}
    assert requested_file(monkeypatch, applications.EfficientNetV2B0) == (
        "efficientnetv2-b0.h5", f"{base}efficientnetv2-b0.h5", hashes["b0"][0])
    assert requested_file(monkeypatch, applications.EfficientNetV2B0, include_top=False,
                          input_shape=(32, 32, 3)) == (
        "efficientnetv2-b0_notop.h5", f"{base}efficientnetv2-b0_notop.h5", hashes["b0"][1])


@pytest.mark.parametrize("kwargs,message", [
    ({"weights": None, "include_top": False, "input_shape": (32, 31, 3)}, "at least 32x32"),
    ({"weights": "imagenet", "classes": 10}, "classes"),
    ({"weights": "imagenet", "include_top": True, "input_shape": (200, 200, 3)},
     r"\(224, 224, 3\)"),
    ({"weights": None, "include_top": False, "pooling": "mean"}, "pooling"),
])
def test_bad_arguments_raise_clear_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        applications.EfficientNetV2B0(**kwargs)


def test_preprocessing_inside_the_model_and_identity_preprocess_input():
    x = np.random.default_rng(2).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    assert efficientnet_v2.preprocess_input(x) is x
    # B0-B3 scale to 0-1 and normalize by the ImageNet mean and std; S, M, L map 0-255 to
    # [-1, 1] (x / 128 - 1), as the published weights were trained. (The layers the models
    # put before their stem, on a small input.)
    for variant, expected in [
        ("b0", (x / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])),
        ("s", x / 128.0 - 1.0),
    ]:
        inputs = layers.Input((8, 8, 3))
        scaled = Functional(inputs, efficientnet_v2._preprocess(inputs, variant, 3))
        np.testing.assert_allclose(np.asarray(scaled(x)), expected, rtol=1e-5, atol=1e-5)
