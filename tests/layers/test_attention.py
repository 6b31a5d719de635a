"""Attention layers: the layer contract, Keras 3 as a numeric oracle (outputs, attention
scores and weight gradients with copied weights), masks and argument errors."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")

from keraslite import backend, layers, ops  # noqa: E402
from keraslite.variables import StatelessScope  # noqa: E402
from layer_test_helper import run_layer_test  # noqa: E402

RNG = np.random.default_rng(0)


def _rand(*shape):
    return RNG.standard_normal(shape).astype("float32")


class _PairMHA(layers.MultiHeadAttention):
    """MultiHeadAttention called on ``[query, value]`` so the one-call helper can drive it."""

    def __call__(self, inputs, **kwargs):
        return super().__call__(inputs[0], inputs[1], **kwargs)


# -- contract ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shapes,out_shape,n_train,n_seeds", [
    ({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 6, 7)], (2, 4, 5), 8, 0),
    ({"num_heads": 3, "key_dim": 2, "value_dim": 4, "use_bias": False, "output_shape": 6,
      "dropout": 0.2, "seed": 1}, [(2, 4, 5), (2, 6, 5)], (2, 4, 6), 4, 1),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)}, [(2, 3, 4, 5), (2, 3, 4, 5)],
     (2, 3, 4, 5), 8, 0),
])
def test_mha_contract(kwargs, shapes, out_shape, n_train, n_seeds):
    run_layer_test(_PairMHA, kwargs, input_shape=shapes, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_train, expected_num_seed_generators=n_seeds,
                   atol=1e-5)


@pytest.mark.parametrize("cls,kwargs,shapes,n_train,n_seeds", [
    (layers.Attention, {}, [(2, 4, 5), (2, 6, 5)], 0, 0),
    (layers.Attention, {"use_scale": True, "score_mode": "concat", "dropout": 0.1},
     [(2, 4, 5), (2, 6, 3), (2, 6, 5)], 2, 1),
    (layers.AdditiveAttention, {}, [(2, 4, 5), (2, 6, 5)], 1, 0),
    (layers.AdditiveAttention, {"use_scale": False}, [(2, 4, 5), (2, 6, 5)], 0, 0),
])
def test_attention_contract(cls, kwargs, shapes, n_train, n_seeds):
    out_shape = shapes[0][:2] + shapes[1][-1:]
    run_layer_test(cls, kwargs, input_shape=shapes, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_train, expected_num_seed_generators=n_seeds,
                   run_training_check=n_train > 0, atol=1e-5)


def test_einsum_dense_contract():
    run_layer_test(layers.EinsumDense, {"equation": "abc,cd->abd", "output_shape": (None, 8),
                                        "bias_axes": "d", "activation": "relu"},
                   input_shape=(2, 5, 3), expected_output_shape=(2, 5, 8),
                   expected_num_trainable_weights=2)
    run_layer_test(layers.EinsumDense, {"equation": "...b,bc->...c", "output_shape": 4},
                   input_shape=(2, 3, 5), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1)


# -- Keras oracle ----------------------------------------------------------------------------
def _keras():
    if backend.backend() != "jax":
        pytest.skip("the Keras oracle runs in the JAX pass (Keras on JAX beside keraslite)")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("the oracle runs Keras on its JAX backend")
    return keras


def _ours_with_grads(layer, cotangents, *args, **kwargs):
    """Outputs of ``layer(*args, **kwargs)`` and d(sum(outputs * cotangents))/d(weights)."""
    trainable = list(layer.trainable_variables)

    def loss_fn(params):
        with StatelessScope(dict(zip(trainable, params))):
            out = layer(*args, **kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        loss = sum(ops.sum(ops.multiply(o, c)) for o, c in zip(outs, cotangents))
        return loss, outs

    (_, outs), grads = backend.value_and_grad(loss_fn, has_aux=True)(
        [v.value for v in trainable])
    return [backend.convert_to_numpy(o) for o in outs], [backend.convert_to_numpy(g)
                                                          for g in grads]


def _keras_with_grads(layer, cotangents, *args, **kwargs):
    import jax
    import jax.numpy as jnp

    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss_fn(params):
        out, _ = layer.stateless_call(params, non_trainable, *args, **kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        return sum(jnp.sum(o * c) for o, c in zip(outs, cotangents)), outs

    (_, outs), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        [v.value for v in layer.trainable_variables])
    return [np.asarray(o) for o in outs], [np.asarray(g) for g in grads]


def _compare(ours, theirs, atol=1e-5):
    (o_out, o_grad), (k_out, k_grad) = ours, theirs
    assert len(o_out) == len(k_out) and len(o_grad) == len(k_grad)
    for a, b in zip(o_out, k_out):
        np.testing.assert_allclose(a, b, atol=atol, rtol=1e-5)
    for a, b in zip(o_grad, k_grad):
        np.testing.assert_allclose(a, b, atol=atol, rtol=1e-5)


MHA_CASES = {
    "plain": ({"num_heads": 2, "key_dim": 3}, {}),
    "attention_mask": ({"num_heads": 2, "key_dim": 3, "value_dim": 4},
                       {"attention_mask": "random"}),
    "causal": ({"num_heads": 3, "key_dim": 2, "output_shape": 5}, {"use_causal_mask": True}),
    "causal_and_mask": ({"num_heads": 2, "key_dim": 4, "use_bias": False},
                        {"use_causal_mask": True, "attention_mask": "random"}),
    "value_mask": ({"num_heads": 2, "key_dim": 3}, {"value_mask": "value"}),
    "key": ({"num_heads": 2, "key_dim": 3}, {"key": True}),
}


@pytest.mark.parametrize("case", sorted(MHA_CASES))
def test_mha_matches_keras(case):
    keras = _keras()
    init, call = MHA_CASES[case]
    q, v = _rand(2, 5, 6), _rand(2, 5, 7)
    kwargs = {"return_attention_scores": True}
    if call.get("key"):
        kwargs["key"] = _rand(2, 5, 3)
    if call.get("attention_mask"):
        mask = RNG.random((2, 5, 5)) > 0.3
        mask[:, :, 0] = True
        kwargs["attention_mask"] = mask
    if call.get("use_causal_mask"):
        kwargs["use_causal_mask"] = True
    if "value_mask" in call:
        kwargs["value_mask"] = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]], bool)

    theirs = keras.layers.MultiHeadAttention(**init)
    theirs(q, v, key=kwargs.get("key"), return_attention_scores=True)
    ours = layers.MultiHeadAttention(**init)
    ours(q, v, key=kwargs.get("key"))
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    assert [w.path.split("/")[-2:] for w in ours.weights] == \
        [w.path.split("/")[-2:] for w in theirs.weights]
    weights = [_rand(*w.shape) * 0.5 for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    cot = [_rand(2, 5, init.get("output_shape", 6)),
           _rand(2, init["num_heads"], 5, 5)]
    k_res = _keras_with_grads(theirs, cot, q, v, **kwargs)
    o_res = _ours_with_grads(ours, cot, q, v, **kwargs)
    _compare(o_res, k_res)
    if call.get("use_causal_mask"):
        scores = o_res[0][1]
        assert np.all(scores[..., np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] < 1e-6)


@pytest.mark.parametrize("cls,init,mask,causal", [
    ("Attention", {}, False, False),
    ("Attention", {"use_scale": True}, True, False),
    ("Attention", {"score_mode": "concat", "use_scale": True}, True, True),
    ("Attention", {"score_mode": "concat"}, False, True),
    ("AdditiveAttention", {}, True, False),
    ("AdditiveAttention", {"use_scale": False}, False, True),
])
def test_attention_matches_keras(cls, init, mask, causal):
    keras = _keras()
    q, v, k = _rand(2, 4, 5), _rand(2, 6, 3), _rand(2, 6, 5)
    if causal:
        v, k = v[:, :4], k[:, :4]
    kwargs = {"return_attention_scores": True, "use_causal_mask": causal}
    if mask:
        kwargs["mask"] = [np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool),
                          np.array([[1, 0, 1, 1, 0, 1], [1, 1, 1, 1, 1, 0]], bool)[:, :v.shape[1]]]
    theirs = getattr(keras.layers, cls)(**init)
    theirs([q, v, k])
    ours = getattr(layers, cls)(**init)
    ours([q, v, k])
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    weights = [_rand(*w.shape) for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    cot = [_rand(2, 4, 3), _rand(2, 4, v.shape[1])]
    k_res = _keras_with_grads(theirs, cot, [q, v, k], **kwargs)
    o_res = _ours_with_grads(ours, cot, [q, v, k], **kwargs)
    if not ours.trainable_variables:
        assert not theirs.trainable_variables
    _compare(o_res, k_res)


def test_einsum_dense_matches_keras():
    keras = _keras()
    x = _rand(2, 3, 4)
    theirs = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 5),
                                      bias_axes="de")
    ours = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 5), bias_axes="de")
    theirs(x)
    ours(x)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(backend.convert_to_numpy(ours(x)), np.asarray(theirs(x)),
                               atol=1e-5)


# -- independent NumPy reference --------------------------------------------------------------
def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_mha_numpy_reference():
    q, v = _rand(2, 4, 6), _rand(2, 3, 6)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = layer(q, v, return_attention_scores=True)
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    pq = np.einsum("btd,dnh->btnh", q, wq) + bq
    pk = np.einsum("bsd,dnh->bsnh", v, wk) + bk
    pv = np.einsum("bsd,dnh->bsnh", v, wv) + bv
    ref_scores = _softmax(np.einsum("btnh,bsnh->bnts", pq, pk) / np.sqrt(3))
    ref = np.einsum("bnts,bsnh->btnh", ref_scores, pv)
    ref = np.einsum("btnh,nho->bto", ref, wo) + bo
    np.testing.assert_allclose(backend.convert_to_numpy(scores), ref_scores, atol=1e-5)
    np.testing.assert_allclose(backend.convert_to_numpy(out), ref, atol=1e-5)


def test_attention_numpy_reference_with_masks():
    q, v = _rand(2, 3, 4), _rand(2, 5, 4)
    qm = np.array([[1, 0, 1], [1, 1, 1]], bool)
    vm = np.array([[1, 1, 0, 1, 0], [1, 1, 1, 1, 1]], bool)
    out, scores = layers.Attention()([q, v], mask=[qm, vm], return_attention_scores=True)
    logits = np.einsum("btd,bsd->bts", q, v) - 1e9 * (~vm[:, None, :])
    ref_scores = _softmax(logits)
    ref = np.einsum("bts,bsd->btd", ref_scores, v) * qm[..., None]
    np.testing.assert_allclose(backend.convert_to_numpy(scores), ref_scores, atol=1e-6)
    np.testing.assert_allclose(backend.convert_to_numpy(out), ref, atol=1e-6)


# -- behaviour -----------------------------------------------------------------------------------
def test_mha_dropout_only_in_training():
    q = _rand(2, 4, 6)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=3)
    a = backend.convert_to_numpy(layer(q, q))
    b = backend.convert_to_numpy(layer(q, q, training=False))
    c = backend.convert_to_numpy(layer(q, q, training=True))
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert not np.allclose(a, c)


def test_mha_functional_model_and_mask_propagation():
    import keraslite

    qi, vi = keraslite.Input((4, 6)), keraslite.Input((5, 6))
    out = layers.MultiHeadAttention(num_heads=2, key_dim=3)(qi, vi, use_causal_mask=False)
    assert tuple(out.shape) == (None, 4, 6)
    model = keraslite.Model([qi, vi], out)
    q, v = _rand(2, 4, 6), _rand(2, 5, 6)
    layer = model.layers[-1]
    np.testing.assert_allclose(backend.convert_to_numpy(model([q, v])),
                               backend.convert_to_numpy(layer(q, v)), atol=1e-5)
    # A value mask given as mask=[query_mask, value_mask] acts like value_mask=.
    vm = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    a = layer(q, v, mask=[None, vm])
    b = layer(q, v, value_mask=vm)
    np.testing.assert_allclose(backend.convert_to_numpy(a), backend.convert_to_numpy(b))
    assert not np.allclose(backend.convert_to_numpy(a), backend.convert_to_numpy(layer(q, v)))


def test_mha_mixed_precision():
    q = _rand(2, 4, 6)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, dtype="mixed_float16")
    out = layer(q, q)
    assert ops.standardize_dtype(out.dtype) == "float16"
    assert all(w.dtype == "float32" for w in layer.weights)


def test_config_round_trip_values():
    layer = layers.MultiHeadAttention(num_heads=4, key_dim=2, value_dim=3, output_shape=(5,),
                                      attention_axes=[1], dropout=0.1, seed=7)
    cfg = layer.get_config()
    assert cfg["num_heads"] == 4 and cfg["value_dim"] == 3 and cfg["output_shape"] == [5]
    assert layers.MultiHeadAttention.from_config(cfg).get_config() == cfg


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,arg", [
    (layers.MultiHeadAttention, {"num_heads": 0, "key_dim": 2}, "num_heads"),
    (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": -1}, "key_dim"),
    (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "dropout": 1.5}, "dropout"),
    (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "attention_axes": "x"},
     "attention_axes"),
    (layers.Attention, {"score_mode": "cosine"}, "score_mode"),
    (layers.AdditiveAttention, {"dropout": -0.1}, "dropout"),
    (layers.EinsumDense, {"equation": "abc", "output_shape": 3}, "equation"),
    (layers.EinsumDense, {"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "z"},
     "bias_axes"),
])
def test_invalid_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*{arg}"):
        cls(**kwargs)


def test_bad_shapes_and_masks_name_the_layer():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_x")
    with pytest.raises(ValueError, match=r"mha_x.*attention_mask.*\(2, 9\)"):
        layer(_rand(2, 4, 6), _rand(2, 5, 6), attention_mask=np.ones((2, 9), bool))
    with pytest.raises(ValueError, match="mha_y.*rank"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_y")(_rand(2, 6), _rand(2, 6))
    att = layers.Attention(name="att_x")
    with pytest.raises(ValueError, match="att_x"):
        att(_rand(2, 4, 5))
    with pytest.raises(ValueError, match=r"att_x.*value_mask.*\(2, 6\).*\(2, 3\)"):
        att([_rand(2, 4, 5), _rand(2, 6, 5)], mask=[None, np.ones((2, 3), bool)])


def test_mha_query_mask_matches_keras():
    """Keras 3 leaves fully masked query rows as if unmasked; so does keraslite."""
    import keraslite
    if keraslite.backend.backend() != "jax":
        return _query_mask_matches_unmasked_rows()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    q = np.random.rand(2, 3, 4).astype("float32")
    v = np.random.rand(2, 5, 4).astype("float32")
    qm = np.array([[1, 1, 0], [1, 0, 0]], bool)
    vm = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], bool)
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=2)
    expected = np.asarray(ref(q, v, query_mask=qm, value_mask=vm))
    ours = keraslite.layers.MultiHeadAttention(num_heads=2, key_dim=2)
    ours(q, v)
    ours.set_weights([np.asarray(w) for w in ref.get_weights()])
    got = np.asarray(ours(q, v, query_mask=qm, value_mask=vm))
    np.testing.assert_allclose(got, expected, atol=1e-5)


def _query_mask_matches_unmasked_rows():
    import keraslite
    q = np.random.rand(2, 3, 4).astype("float32")
    v = np.random.rand(2, 5, 4).astype("float32")
    qm = np.array([[1, 1, 0], [1, 0, 0]], bool)
    layer = keraslite.layers.MultiHeadAttention(num_heads=2, key_dim=2)
    np.testing.assert_allclose(np.asarray(layer(q, v, query_mask=qm)), np.asarray(layer(q, v)),
                               atol=1e-6)
