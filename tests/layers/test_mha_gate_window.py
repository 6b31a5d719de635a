"""MultiHeadAttention's ``use_gate`` and ``sliding_window`` against Keras 3 (the oracle) with the
same weights, a NumPy reference for the band mask, Keras files, config and training."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(16)
Q = RNG.normal(size=(2, 6, 5)).astype(np.float32)
V = RNG.normal(size=(2, 4, 3)).astype(np.float32)
PAD = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)  # padding of the query batch
ATTN = RNG.integers(0, 2, (2, 6, 4)).astype(bool)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


# (layer kwargs, call kwargs; "self" means value = query)
CASES = [
    (dict(num_heads=2, key_dim=3, use_gate=True), dict(self=True)),
    (dict(num_heads=3, key_dim=2, value_dim=4, use_bias=False, use_gate=True), {}),
    (dict(num_heads=2, key_dim=3, sliding_window=2), dict(self=True, use_causal_mask=True)),
    (dict(num_heads=2, key_dim=3, sliding_window=3, use_gate=True),
     dict(self=True, use_causal_mask=True, value_mask=PAD, query_mask=PAD)),
    (dict(num_heads=2, key_dim=2, sliding_window=2), dict(attention_mask=ATTN)),
    (dict(num_heads=2, key_dim=3, sliding_window=2, use_gate=True, output_shape=7),
     dict(value_mask=PAD[:, :4])),
]


@pytest.mark.parametrize("kwargs,call", CASES)
def test_matches_keras_with_the_same_weights(kwargs, call):
    keras = _keras()
    call = dict(call)
    value = Q if call.pop("self", False) else V
    ours = layers.MultiHeadAttention(**kwargs)
    theirs = keras.layers.MultiHeadAttention(**kwargs)
    out, scores = ours(Q, value, return_attention_scores=True, **call)
    # (with scores Keras takes its einsum path; its fused path on JAX fails for
    # value_dim != key_dim)
    oracle(theirs, Q, value, return_attention_scores=True, **call)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    want_out, want_scores = oracle(theirs, Q, value, return_attention_scores=True, **call)
    np.testing.assert_allclose(num(out), keras.ops.convert_to_numpy(want_out),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(num(scores), keras.ops.convert_to_numpy(want_scores),
                               rtol=1e-5, atol=1e-6)


def test_band_and_gate_against_numpy():
    layer = layers.MultiHeadAttention(num_heads=1, key_dim=2, sliding_window=2, use_gate=True)
    out, scores = layer(Q, Q, return_attention_scores=True, use_causal_mask=True)
    qk, qb, kk, kb, gk, gb, vk, vb, ok, ob = layer.get_weights()
    q = (np.einsum("btm,mnh->btnh", Q, qk) + qb) / np.sqrt(2.0)
    k = np.einsum("bsm,mnh->bsnh", Q, kk) + kb
    v = np.einsum("bsm,mnh->bsnh", Q, vk) + vb
    gate = 1.0 / (1.0 + np.exp(-(np.einsum("btm,mnh->btnh", Q, gk) + gb)))
    i, j = np.arange(6)[:, None], np.arange(6)[None, :]
    allowed = (j <= i) & (i - j < 2)  # causal band: the position itself and the one before
    logits = np.where(allowed, np.einsum("btnh,bsnh->bnts", q, k), -np.inf)
    w = np.exp(logits - logits.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    heads = np.einsum("bnts,bsnh->btnh", w, v) * gate
    expected = np.einsum("btnh,nhm->btm", heads, ok) + ob
    np.testing.assert_allclose(num(scores), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(num(out), expected, rtol=1e-5, atol=1e-5)


def test_loads_a_keras_file_and_config_round_trips(tmp_path):
    keras = _keras()
    x = keras.Input((6, 5))
    y = keras.layers.MultiHeadAttention(2, 3, use_gate=True, sliding_window=2)(
        x, x, use_causal_mask=True)
    path = str(tmp_path / "gated.keras")
    oracle(keras.Model(x, y).save, path)
    want = keras.ops.convert_to_numpy(keras.saving.load_model(path)(Q))
    mha = [layer for layer in keraslite.saving.load_model(path).layers
           if isinstance(layer, layers.MultiHeadAttention)][0]
    assert mha.use_gate and mha.sliding_window == 2
    got = keraslite.saving.load_model(path)(Q)
    np.testing.assert_allclose(num(got), want, rtol=1e-5, atol=1e-5)
    config = mha.get_config()
    assert config["use_gate"] is True and config["sliding_window"] == 2
    again = layers.MultiHeadAttention.from_config(config)
    again(Q, Q)
    again.set_weights(mha.get_weights())
    np.testing.assert_allclose(num(again(Q, Q)), num(mha(Q, Q)), rtol=1e-6, atol=1e-6)


def test_trains_in_a_compiled_model_with_unknown_sequence_length():
    x = keraslite.Input((None, 5))  # the band and causal masks are built from traced lengths
    mha = layers.MultiHeadAttention(2, 3, use_gate=True, sliding_window=2)
    y = mha(x, x, use_causal_mask=True)
    model = keraslite.Model(x, y)
    model.compile(optimizer="sgd", loss="mse")
    gate = [w for w in model.weights if w.path.startswith("gate/")]
    assert [tuple(w.shape) for w in gate] == [(5, 2, 3), (2, 3)]
    before = [num(w).copy() for w in gate]
    history = model.fit(Q, np.zeros_like(Q), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    # the gate's kernel and bias received a gradient step
    assert all(not np.allclose(a, num(w)) for a, w in zip(before, gate))
    np.testing.assert_allclose(model.predict(Q, verbose=0),
                               num(mha(Q, Q, use_causal_mask=True)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs,name", [
    (dict(sliding_window=0), "sliding_window"),
    (dict(sliding_window=1.5), "sliding_window"),
    (dict(sliding_window=True), "sliding_window"),
    (dict(use_gate="yes"), "use_gate"),
])
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        layers.MultiHeadAttention(2, 3, **kwargs)
