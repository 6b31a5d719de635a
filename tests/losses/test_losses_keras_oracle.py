"""The added losses against Keras 3 (oracle) and NumPy, with sample weights and reductions."""
import os

import numpy as np
import pytest

from keraslite import backend, losses

RNG = np.random.default_rng(3)
N, C = 6, 4
PROBS = RNG.dirichlet(np.ones(C), size=N).astype(np.float32)
ONE_HOT = np.eye(C, dtype=np.float32)[RNG.integers(0, C, N)]
BIN_TRUE = RNG.integers(0, 2, (N, 3)).astype(np.float32)
BIN_PRED = RNG.uniform(0.02, 0.98, (N, 3)).astype(np.float32)
LOGITS = RNG.normal(size=(N, 3)).astype(np.float32) * 3
REG_TRUE = RNG.uniform(0.1, 3, (N, 3)).astype(np.float32)
REG_PRED = RNG.uniform(0.1, 3, (N, 3)).astype(np.float32)
SIGNED = np.where(BIN_TRUE > 0, 1.0, -1.0).astype(np.float32)
WEIGHTS = RNG.uniform(0, 2, N).astype(np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


CASES = [
    ("Hinge", {}, BIN_TRUE, LOGITS),
    ("Hinge", {}, SIGNED, LOGITS),
    ("SquaredHinge", {}, BIN_TRUE, LOGITS),
    ("CategoricalHinge", {}, ONE_HOT, PROBS),
    ("LogCosh", {}, REG_TRUE, REG_PRED * 10),
    ("Poisson", {}, REG_TRUE, REG_PRED),
    ("CosineSimilarity", {}, REG_TRUE, REG_PRED - 1.0),
    ("CosineSimilarity", {"axis": 0}, REG_TRUE, REG_PRED - 1.0),
    ("KLDivergence", {}, PROBS[::-1].copy(), PROBS),
    ("BinaryFocalCrossentropy", {}, BIN_TRUE, BIN_PRED),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5,
                                 "label_smoothing": 0.1}, BIN_TRUE, BIN_PRED),
    ("BinaryFocalCrossentropy", {"from_logits": True, "apply_class_balancing": True}, BIN_TRUE, LOGITS),
    ("CategoricalFocalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.2,
                                      "from_logits": True}, ONE_HOT, PROBS * 4),
    ("Tversky", {}, BIN_TRUE, BIN_PRED),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": -1}, BIN_TRUE, BIN_PRED),
    ("Dice", {}, BIN_TRUE, BIN_PRED),
    ("Dice", {"axis": 1}, BIN_TRUE, BIN_PRED),
    ("MeanSquaredLogarithmicError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsolutePercentageError", {}, REG_TRUE, REG_PRED),
    ("Huber", {"delta": 0.5}, REG_TRUE, REG_PRED),
]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"])
@pytest.mark.parametrize("cls_name,kwargs,y_true,y_pred", CASES)
def test_matches_keras(cls_name, kwargs, y_true, y_pred, reduction):
    keras = _keras()
    ours = getattr(losses, cls_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
    np.testing.assert_allclose(num(ours(y_true, y_pred)), np.asarray(theirs(y_true, y_pred)),
                               rtol=1e-5, atol=1e-6)
    per_sample = np.asarray(theirs(y_true, y_pred)).ndim if reduction == "none" else 1
    if kwargs.get("axis", -1) in (-1, 1) and per_sample:  # weights only where losses are per sample
        np.testing.assert_allclose(num(ours(y_true, y_pred, sample_weight=WEIGHTS)),
                                   np.asarray(theirs(y_true, y_pred, sample_weight=WEIGHTS)),
                                   rtol=1e-5, atol=1e-6)


FUNCTIONS = ["hinge", "squared_hinge", "categorical_hinge", "log_cosh", "poisson", "cosine_similarity",
             "binary_focal_crossentropy", "categorical_focal_crossentropy", "tversky", "dice"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_and_get(name):
    keras = _keras()
    y_true, y_pred = (ONE_HOT, PROBS) if "categorical" in name else (BIN_TRUE, BIN_PRED)
    np.testing.assert_allclose(num(losses.get(name)(y_true, y_pred)),
                               np.asarray(getattr(keras.losses, name)(y_true, y_pred)), rtol=1e-5, atol=1e-6)


def test_numpy_references():
    # independent checks of a few formulas
    x = REG_PRED - REG_TRUE
    np.testing.assert_allclose(num(losses.log_cosh(REG_TRUE, REG_PRED)), np.log(np.cosh(x)).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(num(losses.hinge(BIN_TRUE, LOGITS)),
                               np.maximum(1 - SIGNED * LOGITS, 0).mean(-1), rtol=1e-6)
    p = BIN_PRED
    p_t = BIN_TRUE * p + (1 - BIN_TRUE) * (1 - p)
    bce = -(BIN_TRUE * np.log(p) + (1 - BIN_TRUE) * np.log(1 - p))
    np.testing.assert_allclose(num(losses.binary_focal_crossentropy(BIN_TRUE, p, gamma=2.0)),
                               ((1 - p_t) ** 2 * bce).mean(-1), rtol=1e-4)
    inter = (BIN_TRUE * p).sum()
    np.testing.assert_allclose(num(losses.dice(BIN_TRUE, p)), 1 - 2 * inter / (BIN_TRUE.sum() + p.sum()),
                               rtol=1e-5)


def test_config_round_trip():
    loss = losses.BinaryFocalCrossentropy(gamma=3.0, apply_class_balancing=True, reduction="sum")
    again = losses.deserialize(losses.serialize(loss))
    assert isinstance(again, losses.BinaryFocalCrossentropy)
    np.testing.assert_allclose(num(again(BIN_TRUE, BIN_PRED)), num(loss(BIN_TRUE, BIN_PRED)))
    assert losses.get("logcosh") is losses.log_cosh and losses.get("bce") is losses.binary_crossentropy
    assert isinstance(losses.get("Tversky"), losses.Tversky)
