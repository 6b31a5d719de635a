import os

import numpy as np
import pytest

from keraslite import backend, losses

EPS = 1e-7
RNG = np.random.default_rng(1)
N, C = 6, 4
PROBS = RNG.dirichlet(np.ones(C), size=N).astype(np.float32)
LOGITS = RNG.normal(scale=3.0, size=(N, C)).astype(np.float32)
LABELS = RNG.integers(0, C, size=N)
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
BIN_TRUE = RNG.integers(0, 2, size=(N, 3)).astype(np.float32)
BIN_PROB = RNG.uniform(0.001, 0.999, size=(N, 3)).astype(np.float32)
WEIGHTS = RNG.uniform(0, 2, size=N).astype(np.float32)


def num(x):
    return backend.convert_to_numpy(x)


def np_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def np_bce_logits(t, x):
    return (np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))).mean(-1)


def np_cce(t, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def np_log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def test_mse_mae_and_reductions():
    y_true = RNG.normal(size=(N, 3)).astype(np.float32)
    y_pred = RNG.normal(size=(N, 3)).astype(np.float32)
    per = ((y_true - y_pred) ** 2).mean(-1)
    assert float(num(losses.MeanSquaredError()(y_true, y_pred))) == pytest.approx(per.mean(), rel=1e-6)
    assert float(num(losses.MeanSquaredError(reduction="sum")(y_true, y_pred))) == pytest.approx(per.sum(), rel=1e-6)
    assert float(num(losses.MeanSquaredError(reduction="mean")(y_true, y_pred))) == pytest.approx(per.mean(), rel=1e-6)
    np.testing.assert_allclose(num(losses.MeanSquaredError(reduction=None)(y_true, y_pred)), per, rtol=1e-6)
    np.testing.assert_allclose(num(losses.mse(y_true, y_pred)), per, rtol=1e-6)
    weighted = float(num(losses.MeanSquaredError()(y_true, y_pred, sample_weight=WEIGHTS)))
    assert weighted == pytest.approx((per * WEIGHTS).sum() / N, rel=1e-6)
    mae = float(num(losses.MeanAbsoluteError()(y_true, y_pred)))
    assert mae == pytest.approx(np.abs(y_true - y_pred).mean(), rel=1e-6)
    np.testing.assert_allclose(num(losses.mae(y_true, y_pred)), np.abs(y_true - y_pred).mean(-1), rtol=1e-6)


def test_rank_mismatch_is_squeezed():
    y_true = np.arange(N, dtype=np.float32)          # (N,)
    y_pred = np.arange(N, dtype=np.float32)[:, None] + 1  # (N, 1)
    assert float(num(losses.MeanSquaredError()(y_true, y_pred))) == pytest.approx(1.0)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_binary_crossentropy(smoothing):
    t = BIN_TRUE * (1 - smoothing) + 0.5 * smoothing
    loss = losses.BinaryCrossentropy(label_smoothing=smoothing)
    assert float(num(loss(BIN_TRUE, BIN_PROB))) == pytest.approx(np_bce(t, BIN_PROB).mean(), rel=1e-5)
    logits = np.log(BIN_PROB / (1 - BIN_PROB))
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=smoothing)
    assert float(num(loss(BIN_TRUE, logits))) == pytest.approx(np_bce_logits(t, logits).mean(), rel=1e-5)


def test_binary_crossentropy_clips_and_is_stable():
    out = num(losses.binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]], np.float32)))
    assert np.isfinite(out).all() and out[0] == pytest.approx(-np.log(EPS), rel=1e-2)
    big = num(losses.binary_crossentropy(np.array([[0.0]]), np.array([[200.0]], np.float32), from_logits=True))
    assert big[0] == pytest.approx(200.0, rel=1e-5)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_categorical_crossentropy(smoothing):
    t = ONE_HOT * (1 - smoothing) + smoothing / C
    loss = losses.CategoricalCrossentropy(label_smoothing=smoothing)
    assert float(num(loss(ONE_HOT, PROBS))) == pytest.approx(np_cce(t, PROBS).mean(), rel=1e-5)
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing)
    ref = -(t * np_log_softmax(LOGITS)).sum(-1).mean()
    assert float(num(loss(ONE_HOT, LOGITS))) == pytest.approx(ref, rel=1e-5)
    weighted = losses.CategoricalCrossentropy(reduction="sum", label_smoothing=smoothing)(ONE_HOT, PROBS, sample_weight=WEIGHTS)
    assert float(num(weighted)) == pytest.approx((np_cce(t, PROBS) * WEIGHTS).sum(), rel=1e-5)


@pytest.mark.parametrize("labels", [LABELS, LABELS[:, None]], ids=["(N,)", "(N,1)"])
def test_sparse_categorical_crossentropy(labels):
    ref = np_cce(ONE_HOT, PROBS)
    assert float(num(losses.SparseCategoricalCrossentropy()(labels, PROBS))) == pytest.approx(ref.mean(), rel=1e-5)
    np.testing.assert_allclose(num(losses.sparse_categorical_crossentropy(labels, PROBS)), ref, rtol=1e-5)
    ref_logits = -np_log_softmax(LOGITS)[np.arange(N), LABELS]
    out = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, LOGITS, sample_weight=WEIGHTS)
    assert float(num(out)) == pytest.approx((ref_logits * WEIGHTS).sum() / N, rel=1e-5)


def test_sparse_ignore_class():
    labels = np.array([0, 1, 2, 1, 3, 1])
    per = -np_log_softmax(LOGITS)[np.arange(N), labels]
    valid = labels != 1
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1)
    assert float(num(loss(labels, LOGITS))) == pytest.approx(per[valid].mean(), rel=1e-5)
    np.testing.assert_allclose(num(losses.sparse_categorical_crossentropy(labels, LOGITS, from_logits=True,
                                                                           ignore_class=1)),
                               np.where(valid, per, 0.0), rtol=1e-5)


def test_matches_keras():
    os.environ["KERAS_BACKEND"] = "jax"
    keras = pytest.importorskip("keras")
    cases = [
        ("BinaryCrossentropy", dict(label_smoothing=0.1), BIN_TRUE, BIN_PROB),
        ("BinaryCrossentropy", dict(from_logits=True), BIN_TRUE, LOGITS[:, :3]),
        ("CategoricalCrossentropy", dict(label_smoothing=0.2), ONE_HOT, PROBS),
        ("CategoricalCrossentropy", dict(from_logits=True), ONE_HOT, LOGITS),
        ("SparseCategoricalCrossentropy", dict(from_logits=True, ignore_class=2), LABELS, LOGITS),
        ("SparseCategoricalCrossentropy", dict(), LABELS[:, None], PROBS),
        ("MeanSquaredError", dict(), BIN_TRUE, BIN_PROB),
        ("MeanAbsoluteError", dict(reduction="sum"), BIN_TRUE, BIN_PROB),
        ("Huber", dict(delta=0.5), BIN_TRUE, LOGITS[:, :3]),
    ]
    for name, kwargs, y_true, y_pred in cases:
        for sw in (None, WEIGHTS):
            ours = float(num(getattr(losses, name)(**kwargs)(y_true, y_pred, sample_weight=sw)))
            theirs = float(np.asarray(getattr(keras.losses, name)(**kwargs)(y_true, y_pred, sample_weight=sw)))
            assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-6), (name, kwargs, sw is None)


def test_get_and_config():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    inst = losses.CategoricalCrossentropy(from_logits=True)
    assert losses.get(inst) is inst
    fn = lambda y_true, y_pred: y_pred
    assert losses.get(fn) is fn
    config = losses.serialize(losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1))
    again = losses.get(config)
    assert isinstance(again, losses.BinaryCrossentropy)
    assert again.from_logits and again.label_smoothing == 0.1
    assert losses.serialize(losses.mae) == "mean_absolute_error"
    assert losses.resolve_crossentropy((None,), (None, 5)) is losses.sparse_categorical_crossentropy
    assert losses.resolve_crossentropy((None, 1), (None, 1)) is losses.binary_crossentropy
    assert losses.resolve_crossentropy((None, 5), (None, 5)) is losses.categorical_crossentropy


def test_bad_inputs():
    with pytest.raises(ValueError, match="Unknown loss: 'msee'.*mean_squared_error"):
        losses.get("msee")
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(LABELS, PROBS)
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(ONE_HOT[:, :, None], PROBS)
