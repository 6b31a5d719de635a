"""CTC, Circle and CategoricalGeneralizedCrossEntropy against Keras 3 (oracle) and NumPy."""
import itertools
import os

import numpy as np
import pytest

from keraslite import backend, losses
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(3)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


LOGITS = RNG.normal(size=(4, 7, 5)).astype(np.float32)
LABELS = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [0, 0, 0, 0], [4, 4, 1, 3]])


def _ctc_brute_force(labels, logits):
    """-log of the summed probability of every frame path that collapses to the labels."""
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    out = []
    for row, p in zip(labels, probs):
        target = tuple(int(c) for c in row if c != 0)
        total = 0.0
        for path in itertools.product(range(p.shape[1]), repeat=p.shape[0]):
            collapsed = [c for i, c in enumerate(path) if c != 0 and (i == 0 or c != path[i - 1])]
            if tuple(collapsed) == target:
                total += np.prod(p[np.arange(p.shape[0]), path])
        out.append(-np.log(total))
    return np.array(out)


def test_ctc_matches_brute_force_enumeration():
    logits = RNG.normal(size=(3, 4, 3)).astype(np.float32)  # 3^4 paths per sample
    labels = np.array([[1, 2], [2, 2], [0, 0]])
    np.testing.assert_allclose(num(losses.ctc(labels, logits)), _ctc_brute_force(labels, logits),
                               rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_ctc_matches_keras(reduction):
    keras = _keras()
    np.testing.assert_allclose(num(losses.ctc(LABELS, LOGITS)),
                               np.asarray(oracle(keras.losses.ctc, LABELS, LOGITS)), rtol=1e-5)
    w = np.array([1.0, 0.5, 2.0, 0.0], np.float32)
    ours = losses.CTC(reduction=reduction)(LABELS, LOGITS, sample_weight=w)
    theirs = oracle(keras.losses.CTC(reduction=reduction), LABELS, LOGITS, sample_weight=w)
    np.testing.assert_allclose(num(ours), np.asarray(theirs), rtol=1e-5)


def test_ctc_gradient_matches_keras():
    keras = _keras()
    if keras.backend.backend() == "jax":
        import jax

        theirs = jax.grad(lambda z: keras.losses.CTC()(LABELS, z))(LOGITS)
    else:
        import tensorflow as tf

        z = tf.constant(LOGITS)
        with tf.GradientTape() as tape:
            tape.watch(z)
            value = keras.losses.CTC()(LABELS, z)
        theirs = tape.gradient(value, z).numpy()
    grad_fn = backend.value_and_grad(lambda z: losses.CTC()(LABELS, z))
    _, ours = grad_fn(backend.convert_to_tensor(LOGITS))
    np.testing.assert_allclose(num(ours), np.asarray(theirs), rtol=1e-4, atol=1e-6)


def _embeddings(n=8, d=6):
    e = RNG.normal(size=(n, d)).astype(np.float32)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


@pytest.mark.parametrize("kwargs", [{}, dict(gamma=16.0, margin=0.25),
                                    dict(remove_diagonal=False)])
def test_circle_matches_keras(kwargs):
    keras = _keras()
    labels = np.array([0, 1, 0, 2, 1, 3, 0, 1])  # 2 and 3 have no partner: left out of the mean
    emb = _embeddings()
    w = RNG.uniform(0.5, 2.0, 8).astype(np.float32)
    np.testing.assert_allclose(num(losses.circle(labels, emb, **kwargs)),
                               np.asarray(keras.losses.circle(labels, emb, **kwargs)), rtol=1e-5)
    for sw in (None, w):
        np.testing.assert_allclose(num(losses.Circle(**kwargs)(labels, emb, sample_weight=sw)),
                                   np.asarray(keras.losses.Circle(**kwargs)(labels, emb,
                                                                            sample_weight=sw)),
                                   rtol=1e-5)


def test_circle_with_reference_set_matches_keras():
    keras = _keras()
    q, refs = _embeddings(4), _embeddings(6)
    ql, rl = np.array([0, 1, 2, 1]), np.array([1, 0, 0, 2, 1, 2])
    args = dict(ref_labels=rl, ref_embeddings=refs, remove_diagonal=False)
    np.testing.assert_allclose(num(losses.circle(ql, q, **args)),
                               np.asarray(keras.losses.circle(ql, q, **args)), rtol=1e-5)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_generalized_cross_entropy_matches_keras_and_numpy(q):
    keras = _keras()
    y_pred = RNG.dirichlet(np.ones(5), 6).astype(np.float32)
    y_true = RNG.integers(0, 5, 6)
    p = y_pred[np.arange(6), y_true]
    expected = (1 - p ** q) / q
    np.testing.assert_allclose(num(losses.categorical_generalized_cross_entropy(y_true, y_pred, q)),
                               expected, rtol=1e-5)
    ours = losses.CategoricalGeneralizedCrossEntropy(q=q)(y_true, y_pred)
    theirs = keras.losses.CategoricalGeneralizedCrossEntropy(q=q)(y_true, y_pred)
    np.testing.assert_allclose(num(ours), np.asarray(theirs), rtol=1e-5)


def test_names_configs_and_bad_input():
    for name, cls in (("CTC", losses.CTC), ("Circle", losses.Circle),
                      ("CategoricalGeneralizedCrossEntropy",
                       losses.CategoricalGeneralizedCrossEntropy)):
        loss = losses.get(name)
        assert isinstance(loss, cls)
        again = losses.deserialize(losses.serialize(loss))
        assert again.get_config() == loss.get_config()
    assert losses.get("ctc") is losses.ctc and losses.get("circle") is losses.circle
    with pytest.raises(ValueError, match="q"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="y_true.shape"):
        losses.ctc(np.zeros((2,), np.int32), LOGITS)
    with pytest.raises(ValueError, match="y_pred.shape"):
        losses.ctc(LABELS, LOGITS[0])
