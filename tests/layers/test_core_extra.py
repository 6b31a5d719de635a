"""Embedding, Masking, Lambda, Identity and ActivityRegularization: the layer contract, NumPy
references, Keras 3 as an oracle, mask propagation and Lambda's refusal to be saved."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers, ops
from layer_test_helper import run_layer_test


def _np(x):
    return backend.convert_to_numpy(x)


@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


# -- contract -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape,out_shape", [
    ({"input_dim": 6, "output_dim": 3}, (2, 5), (2, 5, 3)),
    ({"input_dim": 8, "output_dim": 4, "mask_zero": True}, (3,), (3, 4)),
])
def test_embedding_contract(kwargs, shape, out_shape):
    # On TensorFlow the gradient of a lookup is an IndexedSlices, which the helper's
    # gradient check cannot turn into NumPy; test_embedding_gradient_matches_numpy checks
    # that gradient on both backends instead.
    run_layer_test(layers.Embedding, kwargs, input_shape=shape, input_dtype="int32",
                   expected_output_shape=out_shape, expected_num_trainable_weights=1,
                   run_training_check=backend.backend() != "tensorflow")


def test_embedding_gradient_matches_numpy():
    layer = layers.Embedding(5, 2)
    idx = np.array([[0, 3, 3], [4, 0, 1]])
    layer(idx)
    upstream = np.random.default_rng(0).standard_normal((2, 3, 2)).astype("float32")
    table = layer.embeddings

    def loss_fn(params, x):
        with keraslite.StatelessScope({table: params[0]}):
            return ops.sum(layer(x) * upstream)

    _, (grad,) = backend.value_and_grad(loss_fn)([table.value], idx)
    expected = np.zeros((5, 2), "float32")
    np.add.at(expected, idx, upstream)
    if hasattr(grad, "indices"):  # TensorFlow's sparse IndexedSlices: densify with NumPy
        dense = np.zeros((5, 2), "float32")
        np.add.at(dense, _np(grad.indices), _np(grad.values))
        grad = dense
    np.testing.assert_allclose(_np(grad), expected, atol=1e-6)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.Masking, {"mask_value": 0.5}, (2, 4, 3)),
    (layers.Identity, {}, (2, 3)),
    (layers.ActivityRegularization, {"l1": 0.1, "l2": 0.2}, (2, 3, 4)),
])
def test_passthrough_layers_contract(cls, kwargs, shape):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape)


def test_lambda_contract_until_config_which_is_refused():
    # Shapes (eager, compute_output_shape, symbolic) are checked first; the config step then
    # raises, because a Lambda is never serialized.
    with pytest.raises(ValueError, match="arbitrary Python code"):
        run_layer_test(layers.Lambda, {"function": lambda x: ops.sum(x * 2.0, axis=-1)},
                       input_shape=(2, 3, 4), expected_output_shape=(2, 3))


# -- Embedding --------------------------------------------------------------------------------
def test_embedding_matches_numpy_lookup_and_weight_layout():
    layer = layers.Embedding(7, 3)
    idx = np.array([[0, 6, 2], [3, 3, 1]])
    out = _np(layer(idx))
    [(name, shape)] = [(w.name, w.shape) for w in layer.weights]
    assert (name, shape) == ("embeddings", (7, 3))
    table = layer.get_weights()[0]
    np.testing.assert_allclose(out, table[idx])
    # Default "uniform" initializer: values in [-0.05, 0.05].
    assert np.all(np.abs(table) <= 0.05) and np.std(table) > 0
    # Float indices are accepted (as Keras casts them).
    np.testing.assert_allclose(_np(layer(idx.astype("float32"))), table[idx])


def test_embedding_matches_keras(keras):
    ours = layers.Embedding(9, 4, mask_zero=True)
    theirs = keras.layers.Embedding(9, 4, mask_zero=True)
    idx = np.array([[1, 2, 0, 0], [8, 0, 5, 7]])
    ours(idx)
    theirs(idx)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(_np(ours(idx)), np.asarray(theirs(idx)), atol=1e-7)
    np.testing.assert_array_equal(_np(ours.compute_mask(ops.convert_to_tensor(idx))),
                                  np.asarray(theirs.compute_mask(idx)))


def test_embedding_regularizer_and_config():
    layer = layers.Embedding(4, 2, embeddings_initializer="ones", embeddings_regularizer="l2")
    layer(np.array([[1, 2]]))
    # Keras's "l2" regularizer is 0.01 * sum(w**2) over the whole table.
    np.testing.assert_allclose(float(_np(layer.losses[0])), 0.01 * 8, rtol=1e-6)
    config = layer.get_config()
    assert config["input_dim"] == 4 and config["output_dim"] == 2 and not config["mask_zero"]


class MaskedMean(layers.Layer):
    """Mean over time of the unmasked steps; records the mask it received."""

    def call(self, x, mask=None):
        self.seen_mask = mask is not None
        if mask is None:
            return ops.mean(x, axis=1)
        w = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        return ops.sum(x * w, axis=1) / ops.maximum(ops.sum(w, axis=1), 1.0)


def _masked_mean_reference(table, idx):
    keep = (idx != 0)[..., None].astype("float32")
    return (table[idx] * keep).sum(1) / np.maximum(keep.sum(1), 1.0)


def test_embedding_mask_reaches_a_later_layer_in_sequential_and_functional_models():
    idx = np.array([[3, 1, 0, 0], [2, 2, 2, 0], [4, 0, 0, 0]])
    emb = layers.Embedding(5, 3, mask_zero=True)
    reader = MaskedMean()
    seq = keraslite.Sequential([keraslite.Input((4,), dtype="int32"), emb, reader])
    got = seq.predict(idx, verbose=0)
    table = emb.get_weights()[0]
    np.testing.assert_allclose(got, _masked_mean_reference(table, idx), atol=1e-6)
    assert reader.seen_mask
    # The mask passes through layers that support masking (Identity) in a functional model.
    inp = keraslite.Input((4,), dtype="int32")
    emb2 = layers.Embedding(5, 3, mask_zero=True)
    model = keraslite.Model(inp, MaskedMean()(layers.Identity()(emb2(inp))))
    np.testing.assert_allclose(model.predict(idx, verbose=0),
                               _masked_mean_reference(emb2.get_weights()[0], idx), atol=1e-6)
    # Without mask_zero nothing is masked: a plain mean.
    emb3 = layers.Embedding(5, 3)
    plain = keraslite.Sequential([keraslite.Input((4,), dtype="int32"), emb3, MaskedMean()])
    np.testing.assert_allclose(plain.predict(idx, verbose=0),
                               emb3.get_weights()[0][idx].mean(1), atol=1e-6)


def test_embedding_trains_in_a_model():
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 6, size=(64, 5))
    y = (idx.sum(1) > 12).astype("float32")[:, None]
    model = keraslite.Sequential([keraslite.Input((5,), dtype="int32"), layers.Embedding(6, 4),
                                  layers.Lambda(lambda t: ops.mean(t, axis=1)),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    before = model.evaluate(idx, y, verbose=0)
    model.fit(idx, y, epochs=20, batch_size=16, verbose=0)
    assert model.evaluate(idx, y, verbose=0) < before


@pytest.mark.parametrize("kwargs,arg", [
    ({"input_dim": 0, "output_dim": 2}, "input_dim"),
    ({"input_dim": 3, "output_dim": -1}, "output_dim"),
    ({"input_dim": 3, "output_dim": 2, "lora_rank": 4}, "lora_rank"),
])
def test_embedding_rejects_bad_arguments(kwargs, arg):
    """Also: a Keras config (with its quantization/LoRA keys unset) loads."""
    with pytest.raises(ValueError, match=f"Embedding.*{arg}"):
        layers.Embedding(**kwargs)
    layer = layers.Embedding(3, 2, lora_rank=None, quantization_config=None)
    assert layer.output_dim == 2


# -- Masking --------------------------------------------------------------------------------
def test_masking_zeroes_masked_steps_and_outputs_the_mask():
    x = np.random.default_rng(1).standard_normal((3, 5, 2)).astype("float32")
    x[0, 1] = -1.0
    x[2, 3:] = -1.0
    x[1, 2, 0] = -1.0  # only one feature equals mask_value: not masked
    layer = layers.Masking(mask_value=-1.0)
    keep = np.any(x != -1.0, axis=-1)
    np.testing.assert_allclose(_np(layer(x)), x * keep[..., None])
    np.testing.assert_array_equal(_np(layer.compute_mask(ops.convert_to_tensor(x))), keep)
    model = keraslite.Sequential([keraslite.Input((5, 2)), layers.Masking(-1.0), MaskedMean()])
    expected = (x * keep[..., None]).sum(1) / keep.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)


def test_masking_rejects_non_numbers():
    with pytest.raises(ValueError, match="Masking.*mask_value"):
        layers.Masking(mask_value="zero")


# -- Lambda ---------------------------------------------------------------------------------
def test_lambda_computes_with_arguments_mask_and_training():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    scaled = layers.Lambda(lambda t, factor: t * factor, arguments={"factor": 3.0})
    np.testing.assert_allclose(_np(scaled(x)), x * 3.0)

    def noisy(t, training=None):
        return t + 1.0 if training else t

    layer = layers.Lambda(noisy)
    np.testing.assert_allclose(_np(layer(x, training=True)), x + 1.0)
    np.testing.assert_allclose(_np(layer(x, training=False)), x)

    # A mask function makes the Lambda the source of a mask for the next layer.
    seq = np.ones((2, 4, 1), "float32") * np.array([1, 2, 3, 4], "float32")[None, :, None]
    mask_fn = layers.Lambda(lambda t: t, mask=lambda t, m: ops.less(t[..., 0], 3.0))
    model = keraslite.Sequential([keraslite.Input((4, 1)), mask_fn, MaskedMean()])
    np.testing.assert_allclose(model.predict(seq, verbose=0), np.full((2, 1), 1.5), atol=1e-6)


def test_lambda_output_shape_argument():
    layer = layers.Lambda(lambda t: ops.reshape(t, (-1, 6)), output_shape=(6,))
    assert layer.compute_output_shape((None, 2, 3)) == (None, 6)
    func = layers.Lambda(lambda t: t[:, 0], output_shape=lambda s: (s[0], s[2]))
    assert func.compute_output_shape((4, 2, 3)) == (4, 3)
    inp = keraslite.Input((2, 3))
    assert tuple(layers.Lambda(lambda t: t[:, 0])(inp).shape) == (None, 3)


def test_lambda_refuses_serialization_with_an_actionable_message():
    def double(t):
        return t * 2.0

    layer = layers.Lambda(double)
    with pytest.raises(ValueError) as info:
        layer.get_config()
    message = str(info.value)
    assert "double" in message and "arbitrary Python code" in message
    assert "register_serializable" in message and "Layer subclass" in message
    # Serializing a model that holds a Lambda fails with the same message.
    from keraslite.saving import serialization

    model = keraslite.Sequential([keraslite.Input((3,)), layer])
    with pytest.raises(ValueError, match="arbitrary Python code"):
        serialization.serialize_layer(model)
    with pytest.raises(ValueError, match="Lambda.*function"):
        layers.Lambda(3)


# -- Identity and ActivityRegularization -------------------------------------------------------
def test_identity_returns_input_and_keeps_mask():
    x = np.random.default_rng(2).standard_normal((2, 3)).astype("float32")
    np.testing.assert_array_equal(_np(layers.Identity()(x)), x)
    assert layers.Identity().compute_mask(x, previous_mask="m") == "m"


def test_activity_regularization_adds_l1_l2_penalty(keras):
    x = np.random.default_rng(3).standard_normal((4, 5)).astype("float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.03)
    out = layer(x)
    np.testing.assert_array_equal(_np(out), x)
    # Keras 3 divides activity penalties by the batch size (4 here).
    expected = (0.1 * np.abs(x).sum() + 0.03 * np.square(x).sum()) / 4
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(_np(layer.losses[0])), expected, rtol=1e-5)
    theirs = keras.layers.ActivityRegularization(l1=0.1, l2=0.03)
    theirs(x)
    np.testing.assert_allclose(float(_np(layer.losses[0])), float(np.asarray(theirs.losses[0])),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="ActivityRegularization.*l1"):
        layers.ActivityRegularization(l1=-1.0)


def test_activity_regularization_penalty_reaches_the_training_loss():
    x = np.ones((8, 3), "float32")
    y = np.zeros((8, 1), "float32")
    model = keraslite.Sequential([keraslite.Input((3,)),
                                  layers.Dense(1, kernel_initializer="ones"),
                                  layers.ActivityRegularization(l2=1.0)])
    model.compile(optimizer="sgd", loss="mse")
    plain = keraslite.Sequential([keraslite.Input((3,)),
                                  layers.Dense(1, kernel_initializer="ones")])
    plain.compile(optimizer="sgd", loss="mse")
    # Output is 3 everywhere: mse 9; penalty sum(3**2) / batch size = 9 for any batch size.
    for batch_size in (8, 4):
        reg_loss = model.evaluate(x, y, batch_size=batch_size, verbose=0)
        assert reg_loss == pytest.approx(
            plain.evaluate(x, y, batch_size=batch_size, verbose=0) + 9.0, rel=1e-5)


def test_new_core_layers_are_exported():
    for name in ("Embedding", "Masking", "Lambda", "Identity", "ActivityRegularization"):
        assert getattr(keraslite.layers, name) is getattr(layers, name)
