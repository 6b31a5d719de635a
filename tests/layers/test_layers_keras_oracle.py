"""Keras 3 as a numeric oracle: same weight names/shapes/order, parameter counts, config keys and
outputs (with weights copied from Keras via set_weights). Skipped when Keras is not installed,
and a case skips where Keras itself cannot compute it on this machine (see oracle_guard)."""
import os

import numpy as np
import pytest

from keraslite import backend, layers
from oracle_guard import oracle

# (class name, kwargs, input shapes, training flags)
ORACLE_CASES = [
    ("Dense", {"units": 5, "activation": "relu"}, [(3, 4, 6)], [False]),
    ("Activation", {"activation": "softmax"}, [(3, 7)], [False]),
    ("Dropout", {"rate": 0.3}, [(3, 7)], [False]),
    ("Flatten", {"data_format": "channels_first"}, [(2, 3, 4, 5)], [False]),
    ("Reshape", {"target_shape": (3, -1)}, [(2, 4, 6)], [False]),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 1))}, [(2, 3, 4, 2)], [False]),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "groups": 2},
     [(2, 9, 8, 4)], [False]),
    ("Conv2D", {"filters": 3, "kernel_size": (2, 3), "dilation_rate": 2, "use_bias": False},
     [(2, 9, 8, 2)], [False]),
    ("Conv2D", {"filters": 3, "kernel_size": 3, "data_format": "channels_first"},
     [(2, 2, 7, 6)], [False]),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, [(2, 7, 6, 3)], [False]),
    ("AveragePooling2D", {"pool_size": (3, 2), "strides": 2, "padding": "same"}, [(2, 7, 6, 3)],
     [False]),
    ("AveragePooling2D", {"pool_size": 2}, [(2, 6, 6, 3)], [False]),
    ("GlobalAveragePooling2D", {}, [(2, 5, 4, 3)], [False]),
    ("GlobalMaxPooling2D", {"keepdims": True}, [(2, 5, 4, 3)], [False]),
    ("BatchNormalization", {"momentum": 0.8}, [(4, 3, 3, 5)], [False, True]),
    ("BatchNormalization", {"axis": 1, "center": False}, [(4, 3, 5)], [False, True]),
    ("Add", {}, [(2, 3), (2, 3)], [False]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 2, 4)], [False]),
]

# Keras config keys keraslite deliberately does not have.
KERAS_ONLY_KEYS = {"quantization_config", "renorm", "renorm_clipping", "renorm_momentum",
                   "lora_rank", "lora_alpha"}


@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


def _rand(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.mark.parametrize("cls_name,kwargs,shapes,trainings", ORACLE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ORACLE_CASES)])
def test_matches_keras(keras, cls_name, kwargs, shapes, trainings):
    inputs = [_rand(s, 100 + i) for i, s in enumerate(shapes)]
    x = inputs if len(inputs) > 1 else inputs[0]
    # keraslite runs first, so its errors fail the test; only the oracle's can skip it.
    ours = getattr(layers, cls_name)(**kwargs)
    ours(x)
    # Random but valid weights (variances positive), the same in both.
    weights = [np.abs(_rand(w.shape, 10 + i)) + 0.5 if "variance" in w.name
               else _rand(w.shape, 10 + i) for i, w in enumerate(ours.weights)]
    ours.set_weights(weights)
    actual = [backend.convert_to_numpy(ours(x, training=training)) for training in trainings]

    theirs = getattr(keras.layers, cls_name)(**kwargs)
    oracle(theirs, x)
    assert [(w.name if "/" not in w.name else w.name.split("/")[-1], tuple(w.shape))
            for w in theirs.weights] == [(w.name, w.shape) for w in ours.weights]
    assert len(theirs.trainable_weights) == len(ours.trainable_weights)
    assert theirs.count_params() == ours.count_params()
    missing = set(theirs.get_config()) - set(ours.get_config()) - KERAS_ONLY_KEYS
    assert not missing, f"config keys missing from keraslite: {missing}"
    theirs.set_weights(weights)
    for training, ours_out in zip(trainings, actual):
        expected = np.asarray(oracle(theirs, x, training=training))
        assert ours_out.shape == expected.shape
        np.testing.assert_allclose(ours_out, expected, atol=1e-5, rtol=0)
    # e.g. BatchNormalization's moving statistics after the training call
    for a, b in zip(theirs.get_weights(), ours.get_weights()):
        np.testing.assert_allclose(b, a, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cls_name,kwargs,shape", [
    ("Dense", {"units": 7}, (None, 5)),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
     (None, 11, 10, 3)),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2}, (None, 11, 10, 3)),
    ("Flatten", {}, (None, 4, 5, 3)),
])
def test_output_shapes_match_keras(keras, cls_name, kwargs, shape):
    ours = getattr(layers, cls_name)(**kwargs).compute_output_shape(shape)
    theirs = getattr(keras.layers, cls_name)(**kwargs).compute_output_shape(shape)
    assert tuple(theirs) == tuple(ours)
