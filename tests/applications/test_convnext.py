"""ConvNeXt: Keras 3's structure for every variant (the cached Keras oracle), Keras's weight files
giving Keras's predictions, one training step, the published weight files and bad input."""
from __future__ import annotations

import numpy as np
import pytest

import keraslite
from keraslite import applications
from keraslite.applications import convnext
from tests.applications.family_checks import (assert_same_structure, keras_published_files,
                                              requested_file, train_one_step)
from tests.applications.oracle_cache import run_script
from tests.applications.test_weights import _check_family

# [Keras function name, kwargs]: Tiny with the ImageNet top (28,589,128 parameters in Keras)
# and with another classifier; every variant headless and small (the structure does not depend
# on the image size).
SPECS = [
    ["ConvNeXtTiny", {}],
    ["ConvNeXtTiny", {"input_shape": [32, 32, 3], "classes": 7, "classifier_activation": None}],
    ["ConvNeXtSmall", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "avg"}],
    ["ConvNeXtBase", {"include_top": False, "input_shape": [32, 32, 3], "pooling": "max"}],
    ["ConvNeXtLarge", {"include_top": False, "input_shape": [32, 32, 3]}],
    ["ConvNeXtXLarge", {"include_top": False, "input_shape": [32, 32, 3],
                        "include_preprocessing": False}],
]
WEIGHT_SPECS = [["ConvNeXtTiny", {"input_shape": [32, 32, 3], "classes": 10}, "convnext_tiny"]]


@pytest.fixture(scope="module")
def keras_structures():
    return run_script("keras_oracle.py", SPECS)[0]


@pytest.mark.parametrize("index", range(len(SPECS)),
                         ids=[f"{f}-{'-'.join(f'{k}={v}' for k, v in kw.items())}"
                              for f, kw in SPECS])
def test_same_structure_as_keras(index, keras_structures):
    if index >= 2 and keraslite.backend.backend() != "jax":
        # The larger variants run the same backend-independent building code with other
        # tables; each is built on one backend only, to keep the suite's time down.
        pytest.skip("the larger variants' structure is checked under KERASLITE_BACKEND=jax")
    assert_same_structure(*SPECS[index], keras_structures[index])


def test_keras_weight_files_give_keras_predictions():
    _check_family(WEIGHT_SPECS[0], run_script("keras_weights_oracle.py", WEIGHT_SPECS)[1])


def _cross_entropy(probs: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(-np.sum(labels * np.log(np.clip(probs, 1e-7, 1.0)), axis=-1)))


def test_forward_and_one_training_step():
    model = applications.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=3)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
    before = np.asarray(model.predict(x, verbose=0))
    assert before.shape == (4, 3)
    np.testing.assert_allclose(before.sum(axis=-1), 1.0, rtol=1e-5)
    # No batch statistics and no active dropout: the training forward pass is the inference one,
    # so the step's loss is the cross-entropy of the predictions made before it.
    loss = train_one_step(model, x, y)
    assert loss == pytest.approx(_cross_entropy(before, y), rel=1e-4)
    head = model.get_layer("convnext_tiny_head_dense").get_weights()
    assert not np.allclose(head[1], 0.0)  # the bias starts at zero and has moved


def test_imagenet_points_at_the_published_files(monkeypatch):
    base, hashes = keras_published_files("convnext")
    assert convnext.WEIGHTS_HASHES == {k: tuple(v) for k, v in hashes.items()}
    assert requested_file(monkeypatch, applications.ConvNeXtTiny) == (
        "convnext_tiny.h5", f"{base}convnext_tiny.h5", hashes["convnext_tiny"][0])
    assert requested_file(monkeypatch, applications.ConvNeXtTiny, include_top=False,
                          input_shape=(32, 32, 3)) == (
        "convnext_tiny_notop.h5", f"{base}convnext_tiny_notop.h5", hashes["convnext_tiny"][1])


@pytest.mark.parametrize("kwargs,message", [
    ({"weights": None, "include_top": False, "input_shape": (31, 64, 3)}, "at least 32x32"),
    ({"weights": "imagenet", "classes": 10}, "classes"),
    ({"weights": None, "include_top": False, "pooling": "mean"}, "pooling"),
])
def test_bad_arguments_raise_clear_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        applications.ConvNeXtTiny(**kwargs)


def test_channels_first_is_refused_by_name():
    keraslite.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="channels_last"):
            applications.ConvNeXtTiny(weights=None, include_top=False)
    finally:
        keraslite.config.set_image_data_format("channels_last")


def test_preprocess_input_is_the_identity_and_decode_predictions_reads_the_index():
    x = np.arange(12, dtype="float32").reshape(1, 2, 2, 3)
    assert convnext.preprocess_input(x) is x
    preds = np.zeros((1, 1000), "float32")
    preds[0, 1] = 1.0
    (best, *_), = convnext.decode_predictions(preds, top=2)
    assert best[2] == 1.0 and best[1] == "goldfish"
