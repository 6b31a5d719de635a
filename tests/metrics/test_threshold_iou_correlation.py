"""Confusion counts, rate-at-rate, IoU and correlation metrics against Keras 3 (oracle) over
several batches, plus NumPy references for what Keras computes differently."""
import os

import numpy as np
import pytest

from keraslite import backend, metrics
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(11)
B, N, C = 3, 16, 4


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def batches(kind):
    out = []
    for _ in range(B):
        # Integer weights: Keras keeps IoU matrices in int and would truncate float weights.
        w = RNG.integers(0, 3, N).astype(np.float32)
        if kind == "binary":
            out.append((RNG.integers(0, 2, (N, C)).astype(np.float32),
                        RNG.uniform(0, 1, (N, C)).astype(np.float32), w))
        elif kind == "binary1":
            out.append((RNG.integers(0, 2, (N,)).astype(np.float32),
                        RNG.uniform(0, 1, (N,)).astype(np.float32), w))
        elif kind == "labels":
            out.append((RNG.integers(0, C, (N,)), RNG.integers(0, C, (N,)), w))
        elif kind == "onehot":
            out.append((np.eye(C, dtype=np.float32)[RNG.integers(0, C, N)],
                        RNG.dirichlet(np.ones(C), N).astype(np.float32), w))
        elif kind == "onehot_sparse_pred":
            out.append((np.eye(C, dtype=np.float32)[RNG.integers(0, C, N)],
                        RNG.integers(0, C, (N,)), w))
        else:  # regression rows with equal per-row means (see concordance_correlation's doc)
            y_true = RNG.normal(size=(N, 5)).astype(np.float32)
            y_pred = (0.7 * y_true + 0.5 * RNG.normal(size=(N, 5))).astype(np.float32)
            y_pred += (y_true.mean(-1, keepdims=True) - y_pred.mean(-1, keepdims=True))
            out.append((y_true, y_pred, w))
    return out


CASES = [
    ("TruePositives", {}, "binary"),
    ("FalsePositives", dict(thresholds=[0.2, 0.5, 0.8]), "binary"),
    ("TrueNegatives", dict(thresholds=0.3), "binary"),
    ("FalseNegatives", {}, "binary"),
    ("SensitivityAtSpecificity", dict(specificity=0.6), "binary1"),
    ("SensitivityAtSpecificity", dict(specificity=0.4, num_thresholds=7, class_id=2), "binary"),
    ("SpecificityAtSensitivity", dict(sensitivity=0.7), "binary1"),
    ("PrecisionAtRecall", dict(recall=0.5), "binary"),
    ("PrecisionAtRecall", dict(recall=0.8, num_thresholds=1), "binary1"),
    ("RecallAtPrecision", dict(precision=0.55, num_thresholds=50), "binary1"),
    ("IoU", dict(num_classes=C, target_class_ids=[0, 2]), "labels"),
    ("IoU", dict(num_classes=C, target_class_ids=[1], ignore_class=0), "labels"),
    ("BinaryIoU", {}, "binary"),
    ("BinaryIoU", dict(target_class_ids=[1], threshold=0.3), "binary1"),
    ("OneHotIoU", dict(num_classes=C, target_class_ids=[0, 3]), "onehot"),
    ("OneHotIoU", dict(num_classes=C, target_class_ids=[1, 2], sparse_y_pred=True),
     "onehot_sparse_pred"),
    ("OneHotMeanIoU", dict(num_classes=C), "onehot"),
    ("OneHotMeanIoU", dict(num_classes=C, ignore_class=1), "onehot"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls_name,kwargs,kind", CASES)
def test_matches_keras_over_batches(cls_name, kwargs, kind, weighted):
    keras = _keras()
    ours = getattr(metrics, cls_name)(**kwargs)
    theirs = getattr(keras.metrics, cls_name)(**kwargs)
    for y_true, y_pred, w in batches(kind):
        sw = w if weighted else None
        if weighted and "IoU" in cls_name and y_pred.ndim == 2 and y_true.ndim == 2 and \
                "OneHot" not in cls_name:
            # Keras needs IoU weights shaped like the labels; keraslite also takes one per sample.
            sw = np.broadcast_to(w[:, None], y_true.shape).copy()
        ours.update_state(y_true, y_pred, sample_weight=sw)
        oracle(theirs.update_state, y_true, y_pred, sample_weight=sw)
        np.testing.assert_allclose(num(ours.result()), np.asarray(theirs.result()),
                                   rtol=2e-5, atol=2e-6)
    ours.reset_state()
    theirs.reset_state()
    y_true, y_pred, _ = batches(kind)[0]
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    np.testing.assert_allclose(num(ours.result()), np.asarray(theirs.result()), rtol=2e-5,
                               atol=2e-6)
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()


@pytest.mark.parametrize("fn", ["hinge", "squared_hinge", "categorical_hinge", "huber", "log_cosh",
                                "poisson", "binary_focal_crossentropy",
                                "categorical_focal_crossentropy", "pearson_correlation"])
def test_metric_functions_match_keras(fn):
    keras = _keras()
    y_true, y_pred, _ = batches("onehot")[0]
    np.testing.assert_allclose(num(getattr(metrics, fn)(y_true, y_pred)),
                               np.asarray(getattr(keras.metrics, fn)(y_true, y_pred)),
                               rtol=1e-5, atol=1e-6)


def test_concordance_matches_numpy_when_means_differ():
    y_true = RNG.normal(size=(6, 9)).astype(np.float32)
    y_pred = (0.5 * y_true + RNG.normal(size=(6, 9)) + 0.8).astype(np.float32)
    mt, mp = y_true.mean(-1), y_pred.mean(-1)
    cov = ((y_true - mt[:, None]) * (y_pred - mp[:, None])).mean(-1)
    expected = 2 * cov / (y_true.var(-1) + y_pred.var(-1) + (mt - mp) ** 2)
    np.testing.assert_allclose(num(metrics.concordance_correlation(y_true, y_pred)), expected,
                               rtol=1e-4)


def test_rate_at_rate_matches_numpy():
    y_true, y_pred, w = batches("binary1")[0]
    m = metrics.SensitivityAtSpecificity(0.5, num_thresholds=11)
    m.update_state(y_true, y_pred, sample_weight=w)
    best = 0.0
    for t in [0.0] + [i / 10 for i in range(1, 10)] + [1.0]:
        pred = y_pred > t
        tp, fn = (w * (pred & (y_true == 1))).sum(), (w * (~pred & (y_true == 1))).sum()
        tn, fp = (w * (~pred & (y_true == 0))).sum(), (w * (pred & (y_true == 0))).sum()
        if tn + fp and tn / (tn + fp) >= 0.5 and tp + fn:
            best = max(best, tp / (tp + fn))
    np.testing.assert_allclose(num(m.result()), best, rtol=1e-6)


def test_per_sample_weight_covers_the_sample():
    y_true, y_pred, w = batches("binary")[0]
    a, b = metrics.BinaryIoU(), metrics.BinaryIoU()
    a.update_state(y_true, y_pred, sample_weight=w)
    b.update_state(y_true, y_pred, sample_weight=np.broadcast_to(w[:, None], y_true.shape))
    np.testing.assert_allclose(num(a.result()), num(b.result()), rtol=1e-6)


def test_float_weights_count_in_full():
    # Keras truncates float weights in its int confusion matrix; here they count as given.
    m = metrics.IoU(num_classes=2, target_class_ids=[0, 1])
    m.update_state([0, 1, 1], [0, 1, 0], sample_weight=[0.5, 1.5, 1.0])
    expected = (0.5 / 1.5 + 1.5 / 2.5) / 2
    np.testing.assert_allclose(num(m.result()), expected, rtol=1e-5)


def _compiled(fn):
    if backend.backend() == "jax":
        import jax

        return jax.jit(fn)
    import tensorflow as tf

    return tf.function(fn)


@pytest.mark.parametrize("make,kind", [
    (lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=20), "binary"),
    (lambda: metrics.OneHotMeanIoU(num_classes=C), "onehot"),
    (lambda: metrics.TruePositives(thresholds=[0.1, 0.6]), "binary"),
])
def test_compiled_update_matches_eager(make, kind):
    eager, traced = make(), make()
    step = _compiled(lambda values, yt, yp, w: traced.stateless_update_state(
        values, yt, yp, sample_weight=w))
    values = [v.value for v in traced.variables]
    for y_true, y_pred, w in batches(kind):
        eager.update_state(y_true, y_pred, sample_weight=w)
        values = step(values, y_true, y_pred, w)
    np.testing.assert_allclose(num(traced.stateless_result(values)), num(eager.result()),
                               rtol=1e-6)


@pytest.mark.parametrize("make,match", [
    (lambda: metrics.SensitivityAtSpecificity(1.5), "specificity"),
    (lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=0), "num_thresholds"),
    (lambda: metrics.IoU(num_classes=3, target_class_ids=[3]), "target_class_ids"),
    (lambda: metrics.OneHotMeanIoU(num_classes=0), "num_classes"),
])
def test_bad_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_names_resolve_like_keras():
    keras = _keras()
    for name in ("true_positives", "FalseNegatives", "pearson_correlation", "hinge"):
        assert type(metrics.get(name)).__name__ == type(keras.metrics.get(name)).__name__
    assert metrics.deserialize(metrics.serialize(metrics.BinaryIoU(threshold=0.3))).threshold == 0.3
