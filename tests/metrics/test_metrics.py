import os

import numpy as np
import pytest

from keraslite import backend, losses, metrics
from keraslite.variables import StatelessScope

RNG = np.random.default_rng(2)
C = 5
BATCHES = []
for n in (4, 7, 3):
    probs = RNG.dirichlet(np.ones(C), size=n).astype(np.float32)
    labels = RNG.integers(0, C, size=n)
    BATCHES.append((labels, probs, RNG.uniform(0, 2, size=n).astype(np.float32)))


def num(x):
    return float(backend.convert_to_numpy(x))


def test_mean_and_sum_accumulate():
    m, s = metrics.Mean(), metrics.Sum()
    values = [RNG.normal(size=k).astype(np.float32) for k in (3, 5, 2)]
    weights = [RNG.uniform(0, 1, size=k).astype(np.float32) for k in (3, 5, 2)]
    for v, w in zip(values, weights):
        m.update_state(v, sample_weight=w)
        s.update_state(v)
    allv, allw = np.concatenate(values), np.concatenate(weights)
    assert num(m.result()) == pytest.approx((allv * allw).sum() / allw.sum(), rel=1e-5)
    assert num(s.result()) == pytest.approx(allv.sum(), rel=1e-5)
    m.reset_state()
    assert num(m.result()) == 0.0
    m.update_state(np.ones((2, 3), np.float32) * np.array([[1.0], [3.0]], np.float32))
    assert num(m.result()) == pytest.approx(2.0)
    assert [v.path for v in m.variables] == ["mean/total", "mean/count"]


@pytest.mark.parametrize("label_shape", ["(N,)", "(N,1)"])
def test_sparse_categorical_accuracy_accumulates(label_shape):
    m = metrics.SparseCategoricalAccuracy()
    hits = []
    for labels, probs, _ in BATCHES:
        y_true = labels if label_shape == "(N,)" else labels[:, None]
        m.update_state(y_true, probs)
        hits.append(probs.argmax(-1) == labels)
    assert num(m.result()) == pytest.approx(np.concatenate(hits).mean(), rel=1e-6)


def test_categorical_accuracy_weighted():
    m = metrics.CategoricalAccuracy()
    hits, ws = [], []
    for labels, probs, w in BATCHES:
        m.update_state(np.eye(C, dtype=np.float32)[labels], probs, sample_weight=w)
        hits.append(probs.argmax(-1) == labels)
        ws.append(w)
    hits, ws = np.concatenate(hits), np.concatenate(ws)
    assert num(m.result()) == pytest.approx((hits * ws).sum() / ws.sum(), rel=1e-5)


def test_binary_accuracy_and_accuracy():
    m = metrics.BinaryAccuracy(threshold=0.7)
    y_true = np.array([[1], [0], [1], [0]], np.float32)
    m.update_state(y_true, np.array([[0.8], [0.75], [0.6], [0.1]], np.float32))
    m.update_state(np.array([1.0, 1.0]), np.array([[0.9], [0.95]], np.float32))
    assert num(m.result()) == pytest.approx(4 / 6)
    a = metrics.Accuracy()
    a.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    assert num(a.result()) == pytest.approx(0.75)


def test_error_metrics_accumulate():
    mse, mae = metrics.MeanSquaredError(), metrics.MeanAbsoluteError()
    trues, preds = [], []
    for k in (3, 4):
        t = RNG.normal(size=(k, 2)).astype(np.float32)
        p = RNG.normal(size=(k, 2)).astype(np.float32)
        mse.update_state(t, p)
        mae.update_state(t, p)
        trues.append(t)
        preds.append(p)
    t, p = np.concatenate(trues), np.concatenate(preds)
    assert num(mse.result()) == pytest.approx(((t - p) ** 2).mean(), rel=1e-5)
    assert num(mae.result()) == pytest.approx(np.abs(t - p).mean(), rel=1e-5)


def test_crossentropy_metric_matches_loss():
    m = metrics.SparseCategoricalCrossentropy()
    per = []
    for labels, probs, _ in BATCHES:
        m.update_state(labels, probs)
        per.append(backend.convert_to_numpy(losses.sparse_categorical_crossentropy(labels, probs)))
    assert num(m.result()) == pytest.approx(np.concatenate(per).mean(), rel=1e-5)


def test_matches_keras_over_batches():
    os.environ["KERAS_BACKEND"] = "jax"
    keras = pytest.importorskip("keras")
    for name in ("SparseCategoricalAccuracy", "SparseCategoricalCrossentropy"):
        ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
        for labels, probs, w in BATCHES:
            ours.update_state(labels, probs, sample_weight=w)
            theirs.update_state(labels, probs, sample_weight=w)
        assert num(ours.result()) == pytest.approx(float(np.asarray(theirs.result())), rel=1e-5)


def test_stateless_update_in_scope_and_compiled():
    m = metrics.SparseCategoricalAccuracy()
    values = [v.value for v in m.variables]

    def step(values, labels, probs):
        return m.stateless_update_state(values, labels, probs)

    if backend.backend() == "jax":
        import jax

        compiled = jax.jit(step)
    else:
        import tensorflow as tf

        compiled = tf.function(step)
    hits = []
    for labels, probs, _ in BATCHES:
        values = compiled(values, backend.convert_to_tensor(labels), backend.convert_to_tensor(probs))
        hits.append(probs.argmax(-1) == labels)
    assert num(m.stateless_result(values)) == pytest.approx(np.concatenate(hits).mean(), rel=1e-6)
    assert num(m.result()) == 0.0  # the Variables themselves are untouched
    with StatelessScope([(v, x) for v, x in zip(m.variables, values)]):
        assert num(m.result()) == pytest.approx(np.concatenate(hits).mean(), rel=1e-6)


@pytest.mark.parametrize("name,loss,y_true,y_pred,expected", [
    ("accuracy", "mse", (None, 1), (None, 1), "BinaryAccuracy"),
    # Keras 3 decides from shapes only: multi-label binary cross-entropy gets CategoricalAccuracy.
    ("acc", "binary_crossentropy", (None, 3), (None, 3), "CategoricalAccuracy"),
    ("accuracy", "sparse_categorical_crossentropy", (None, 1), (None, 10), "SparseCategoricalAccuracy"),
    ("accuracy", "categorical_crossentropy", (None,), (None, 10), "SparseCategoricalAccuracy"),
    ("accuracy", None, (None, 1), (None, 10), "SparseCategoricalAccuracy"),
    ("accuracy", "categorical_crossentropy", (None, 10), (None, 10), "CategoricalAccuracy"),
    ("crossentropy", None, (None, 1), (None, 1), "BinaryCrossentropy"),
    ("ce", None, (None,), (None, 4), "SparseCategoricalCrossentropy"),
    ("crossentropy", None, (None, 4), (None, 4), "CategoricalCrossentropy"),
])
def test_resolve_accuracy(name, loss, y_true, y_pred, expected):
    if loss == "binary_crossentropy":
        loss = losses.BinaryCrossentropy()
    m = metrics.resolve_accuracy(name, loss, y_true, y_pred)
    assert type(m).__name__ == expected
    assert m.name == name


def test_resolve_other_names_and_get():
    m = metrics.resolve_accuracy("mae", "mse", (None, 1), (None, 1))
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "mae"
    assert isinstance(metrics.get("BinaryAccuracy"), metrics.BinaryAccuracy)
    # as in Keras 3, metric strings name classes
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    again = metrics.get(metrics.serialize(metrics.BinaryAccuracy(threshold=0.3, name="b")))
    assert again.threshold == 0.3 and again.name == "b"
    with pytest.raises(ValueError, match="Unknown metric: 'acuracy'"):
        metrics.get("acuracy")


@pytest.mark.parametrize("name", ["BinaryCrossentropy", "Hinge", "SquaredHinge", "Poisson",
                                  "MeanSquaredError", "BinaryAccuracy"])
def test_rank_one_targets_meet_column_predictions_element_by_element(name):
    """(n,) targets with (n, 1) predictions: the same value as with (n, 1) targets."""
    y_true = np.array([0.0, 1.0, 1.0, 0.0], np.float32)
    y_pred = np.array([[0.2], [0.7], [0.9], [0.4]], np.float32)
    flat = getattr(metrics, name)()(y_true, y_pred)
    column = getattr(metrics, name)()(y_true[:, None], y_pred)
    np.testing.assert_allclose(float(flat), float(column), rtol=1e-6)
    if name == "BinaryCrossentropy":
        p = y_pred[:, 0]
        expected = -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
        np.testing.assert_allclose(float(flat), expected, rtol=1e-5)
