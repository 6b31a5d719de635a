"""GroupQueryAttention against Keras 3 (oracle) with the same weights, and a NumPy reference."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(21)
Q = RNG.normal(size=(2, 5, 6)).astype(np.float32)
V = RNG.normal(size=(2, 7, 4)).astype(np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


CASES = [
    (dict(head_dim=3, num_query_heads=4, num_key_value_heads=2), {}),
    (dict(head_dim=2, num_query_heads=3, num_key_value_heads=1, use_bias=False,
          use_gate=True), {}),
    (dict(head_dim=3, num_query_heads=2, num_key_value_heads=1, sliding_window=2),
     dict(self_attention=True, use_causal_mask=True)),
    (dict(head_dim=3, num_query_heads=4, num_key_value_heads=2),
     dict(attention_mask=RNG.integers(0, 2, (2, 5, 7)).astype(bool))),
]


@pytest.mark.parametrize("kwargs,call", CASES)
def test_matches_keras_with_the_same_weights(kwargs, call):
    keras = _keras()
    call = dict(call)
    value = Q if call.pop("self_attention", False) else V
    ours = layers.GroupQueryAttention(**kwargs)
    theirs = keras.layers.GroupQueryAttention(**kwargs)
    out, scores = ours(Q, value, return_attention_scores=True, **call)
    oracle(theirs, Q, value, **call)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    theirs.set_weights(ours.get_weights())
    want_out, want_scores = oracle(theirs, Q, value, return_attention_scores=True, **call)
    np.testing.assert_allclose(num(out), np.asarray(want_out), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(num(scores), np.asarray(want_scores), rtol=1e-5, atol=1e-6)


def test_numpy_reference_with_shared_heads():
    layer = layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    out = num(layer(Q, V))
    qk, qb, kk, kb, vk, vb, ok, ob = layer.get_weights()
    q = np.einsum("btm,muh->btuh", Q, qk) + qb
    k = np.repeat(np.einsum("bsm,mvh->bsvh", V, kk) + kb, 2, axis=2)
    v = np.repeat(np.einsum("bsm,mvh->bsvh", V, vk) + vb, 2, axis=2)
    logits = np.einsum("btuh,bsuh->buts", q, k) / np.sqrt(2.0)
    w = np.exp(logits - logits.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    expected = np.einsum("btuh,uhm->btm", np.einsum("buts,bsuh->btuh", w, v), ok) + ob
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_in_a_trained_functional_model_and_config():
    x = keraslite.Input((5, 6))
    layer = layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    y = layer(x, x, use_causal_mask=True)
    assert tuple(y.shape) == (None, 5, 6)
    model = keraslite.Model(x, y)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(Q, np.zeros_like(Q), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    dropped = layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2,
                                         dropout=0.5, seed=3)
    a, b = num(dropped(Q, Q, training=True)), num(dropped(Q, Q, training=True))
    assert not np.allclose(a, b)  # a fresh dropout mask per call
    np.testing.assert_allclose(num(dropped(Q, Q)), num(dropped(Q, Q)))
    again = layers.GroupQueryAttention.from_config(dropped.get_config())
    assert again.num_repeats == 2 and again.dropout == 0.5


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=2)
    with pytest.raises(ValueError, match="sliding_window"):
        layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1,
                                   sliding_window=0)
    with pytest.raises(ValueError, match="query"):
        layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1)(
            np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))
