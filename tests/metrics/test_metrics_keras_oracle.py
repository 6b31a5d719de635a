"""The added metrics against Keras 3 (oracle) over several batches, with sample weights."""
import os

import numpy as np
import pytest

from keraslite import backend, metrics

RNG = np.random.default_rng(5)
B, N, C = 3, 8, 4


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


def batches(kind):
    out = []
    for _ in range(B):
        w = RNG.uniform(0, 2, N).astype(np.float32)
        if kind == "binary":
            out.append((RNG.integers(0, 2, (N, C)).astype(np.float32),
                        RNG.uniform(0, 1, (N, C)).astype(np.float32), w))
        elif kind == "onehot":
            out.append((np.eye(C, dtype=np.float32)[RNG.integers(0, C, N)],
                        RNG.dirichlet(np.ones(C), N).astype(np.float32), w))
        elif kind == "sparse":
            out.append((RNG.integers(0, C, (N,)).astype(np.float32),
                        RNG.dirichlet(np.ones(C), N).astype(np.float32), w))
        elif kind == "labels":
            out.append((RNG.integers(0, C, (N,)), RNG.integers(0, C, (N,)), w))
        else:  # regression
            out.append((RNG.uniform(0.5, 3, (N, 2)).astype(np.float32),
                        RNG.uniform(0.5, 3, (N, 2)).astype(np.float32), w))
    return out


CASES = [
    ("TopKCategoricalAccuracy", dict(k=2), "onehot"),
    ("SparseTopKCategoricalAccuracy", dict(k=2), "sparse"),
    ("Precision", {}, "binary"),
    ("Precision", dict(thresholds=[0.2, 0.5, 0.7]), "binary"),
    ("Precision", dict(top_k=2), "binary"),
    ("Precision", dict(class_id=1, thresholds=0.4), "binary"),
    ("Recall", {}, "binary"),
    ("Recall", dict(top_k=1, class_id=2), "binary"),
    ("AUC", {}, "binary"),
    ("AUC", dict(curve="PR"), "binary"),
    ("AUC", dict(curve="PR", summation_method="minoring", num_thresholds=50), "binary"),
    ("AUC", dict(summation_method="majoring", num_thresholds=33), "binary"),
    ("AUC", dict(multi_label=True), "binary"),
    ("AUC", dict(multi_label=True, curve="PR", label_weights=[0.1, 0.2, 0.3, 0.4]), "binary"),
    ("AUC", dict(thresholds=[0.3, 0.6, 0.9]), "binary"),
    ("F1Score", {}, "onehot"),
    ("F1Score", dict(average="macro", threshold=0.5), "binary"),
    ("F1Score", dict(average="micro"), "onehot"),
    ("FBetaScore", dict(average="weighted", beta=2.0, threshold=0.4), "binary"),
    ("MeanIoU", dict(num_classes=C), "labels"),
    ("MeanIoU", dict(num_classes=C, ignore_class=0), "labels"),
    ("MeanIoU", dict(num_classes=C, sparse_y_true=False, sparse_y_pred=False), "onehot"),
    ("R2Score", {}, "regression"),
    ("R2Score", dict(class_aggregation=None), "regression"),
    ("R2Score", dict(class_aggregation="variance_weighted_average", num_regressors=2), "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("Poisson", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("KLDivergence", {}, "onehot"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "binary"),
    ("CategoricalHinge", {}, "onehot"),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls_name,kwargs,kind", CASES)
def test_matches_keras_over_batches(cls_name, kwargs, kind, weighted):
    keras = _keras()
    if cls_name == "MeanIoU" and weighted:
        pytest.skip("Keras 3 MeanIoU returned 0.0 for these float weights here; checked by test_mean_iou_weighted_numpy instead")
    ours = getattr(metrics, cls_name)(**kwargs)
    theirs = getattr(keras.metrics, cls_name)(**kwargs)
    for y_true, y_pred, w in batches(kind):
        sw = w if weighted else None
        ours.update_state(y_true, y_pred, sample_weight=sw)
        theirs.update_state(y_true, y_pred, sample_weight=sw)
        np.testing.assert_allclose(num(ours.result()), np.asarray(theirs.result()), rtol=2e-5, atol=2e-6)
    ours.reset_state()
    theirs.reset_state()
    y_true, y_pred, _ = batches(kind)[0]
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    np.testing.assert_allclose(num(ours.result()), np.asarray(theirs.result()), rtol=2e-5, atol=2e-6)


def _compiled(fn):
    if backend.backend() == "jax":
        import jax

        return jax.jit(fn)
    import tensorflow as tf

    return tf.function(fn)


@pytest.mark.parametrize("make,kind", [
    (lambda: metrics.AUC(curve="PR", multi_label=True, num_labels=C), "binary"),
    (lambda: metrics.Precision(top_k=2), "binary"),
    (lambda: metrics.MeanIoU(num_classes=C), "labels"),
])
def test_compiled_update_matches_eager(make, kind):
    eager, traced = make(), make()
    step = _compiled(lambda values, yt, yp, w: traced.stateless_update_state(values, yt, yp, sample_weight=w))
    values = [v.value for v in traced.variables]
    for y_true, y_pred, w in batches(kind):
        eager.update_state(y_true, y_pred, sample_weight=w)
        values = step(values, y_true, y_pred, w)
    np.testing.assert_allclose(num(traced.stateless_result(values)), num(eager.result()), rtol=1e-6)


def test_numpy_reference_precision_recall():
    y_true = np.array([1, 0, 1, 1, 0], np.float32)
    y_pred = np.array([0.9, 0.8, 0.4, 0.7, 0.1], np.float32)
    p, r = metrics.Precision(), metrics.Recall()
    p.update_state(y_true, y_pred)
    r.update_state(y_true, y_pred)
    assert float(num(p.result())) == pytest.approx(2 / 3)
    assert float(num(r.result())) == pytest.approx(2 / 3)


@pytest.mark.parametrize("name,cls", [("auc", "AUC"), ("precision", "Precision"), ("recall", "Recall"),
                                      ("mse", "MeanSquaredError"), ("mae", "MeanAbsoluteError"),
                                      ("mape", "MeanAbsolutePercentageError"),
                                      ("root_mean_squared_error", "RootMeanSquaredError"),
                                      ("f1_score", "F1Score"), ("r2_score", "R2Score"),
                                      ("top_k_categorical_accuracy", "TopKCategoricalAccuracy")])
def test_string_names_like_keras(name, cls):
    keras = _keras()
    assert type(metrics.get(name)).__name__ == type(keras.metrics.get(name)).__name__ == cls


def test_resolve_builds_and_names_string_metrics():
    m = metrics.resolve_accuracy("auc", "binary_crossentropy", (None, 1), (None, 1))
    assert isinstance(m, metrics.AUC) and m.name == "auc"
    f1 = metrics.resolve_accuracy("f1_score", None, (None, 3), (None, 3))
    assert f1.built and f1.true_positives.shape == (3,)
    with pytest.raises(ValueError, match="Unknown metric: 'rmse'"):
        metrics.get("rmse")
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="median")
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")


def test_config_round_trip():
    m = metrics.AUC(curve="PR", num_thresholds=17, multi_label=True, num_labels=3)
    again = metrics.deserialize(metrics.serialize(m))
    assert isinstance(again, metrics.AUC) and again.num_thresholds == 17 and again.curve == "PR"
    assert again.true_positives.shape == (17, 3)
    p = metrics.deserialize(metrics.serialize(metrics.Precision(thresholds=[0.1, 0.9], class_id=2)))
    assert p.thresholds == [0.1, 0.9] and p.class_id == 2


def test_mean_iou_weighted_numpy():
    m = metrics.MeanIoU(num_classes=C, ignore_class=3)
    cm = np.zeros((C, C))
    for y_true, y_pred, w in batches("labels"):
        m.update_state(y_true, y_pred, sample_weight=w)
        for t, p, weight in zip(y_true, y_pred, w):
            if t != 3:
                cm[t, p] += weight
    tp = np.diag(cm)
    denom = cm.sum(0) + cm.sum(1) - tp
    valid = denom != 0
    expected = (tp[valid] / denom[valid]).sum() / valid.sum()
    np.testing.assert_allclose(num(m.result()), expected, rtol=1e-5)
