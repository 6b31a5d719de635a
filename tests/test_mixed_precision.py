"""keraslite.mixed_precision: Keras-named policy objects and the global policy, and models that
compute in bfloat16 with float32 weights and still train."""
import numpy as np
import pytest

import keraslite
from keraslite import backend, layers, mixed_precision, ops


@pytest.fixture(autouse=True)
def _reset_policy():
    yield
    mixed_precision.set_global_policy("float32")


def test_policy_objects_expose_their_dtypes():
    for name, compute, variable in [("float32", "float32", "float32"),
                                    ("mixed_bfloat16", "bfloat16", "float32"),
                                    ("mixed_float16", "float16", "float32"),
                                    ("bfloat16", "bfloat16", "bfloat16")]:
        policy = mixed_precision.Policy(name)
        assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (
            name, compute, variable)
        assert policy == mixed_precision.DTypePolicy(name)
    assert mixed_precision.Policy is mixed_precision.DTypePolicy
    with pytest.raises(ValueError, match="mixed_bfloat32"):
        mixed_precision.Policy("mixed_bfloat32")
    assert mixed_precision.LossScaleOptimizer is keraslite.optimizers.LossScaleOptimizer


def test_global_policy_round_trip():
    assert mixed_precision.global_policy().name == "float32"
    mixed_precision.set_global_policy("mixed_bfloat16")
    policy = mixed_precision.global_policy()
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (
        "mixed_bfloat16", "bfloat16", "float32")
    mixed_precision.set_global_policy(mixed_precision.Policy("mixed_float16"))
    assert mixed_precision.global_policy().compute_dtype == "float16"
    with pytest.raises(ValueError):
        mixed_precision.set_global_policy("half")
    with pytest.raises(ValueError):
        mixed_precision.set_global_policy(16)


def test_layers_accept_policy_objects_as_dtype():
    layer = layers.Dense(3, dtype=mixed_precision.Policy("mixed_bfloat16"))
    out = layer(np.ones((2, 4), "float32"))
    assert (layer.compute_dtype, layer.variable_dtype) == ("bfloat16", "float32")
    assert ops.dtype(out) == "bfloat16"
    assert layer.kernel.dtype == "float32"
    assert layers.Dense(3, dtype=mixed_precision.Policy("float32")).compute_dtype == "float32"


def test_global_policy_applies_to_layers_created_afterwards():
    before = layers.Dense(2)
    mixed_precision.set_global_policy("mixed_bfloat16")
    after = layers.Dense(2)
    explicit = layers.Dense(2, dtype="float32")
    assert before.compute_dtype == "float32"
    assert (after.compute_dtype, after.variable_dtype) == ("bfloat16", "float32")
    assert explicit.compute_dtype == "float32"


def _image_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 8, 8, 2)).astype("float32")
    y = (x[..., 0].mean(axis=(1, 2)) > 0).astype("float32")[:, None]
    return x, y


def test_mixed_bfloat16_dense_conv_model_computes_in_bfloat16_and_trains():
    mixed_precision.set_global_policy("mixed_bfloat16")
    x, y = _image_data()
    conv = layers.Conv2D(4, 3, activation="relu")
    hidden = layers.Dense(8, activation="relu")
    model = keraslite.Sequential([
        keraslite.Input((8, 8, 2)), conv, layers.Flatten(), hidden,
        # Keras's advice: keep the final activation in float32 for numeric stability.
        layers.Dense(1, activation="sigmoid", dtype="float32"),
    ])
    for layer in (conv, hidden):
        assert layer.compute_dtype == "bfloat16"
        assert all(w.dtype == "float32" for w in layer.weights)
    assert ops.dtype(conv(x[:2])) == "bfloat16"
    assert ops.dtype(hidden(np.ones((2, 144), "float32"))) == "bfloat16"
    assert model.predict(x[:4], verbose=0).shape == (4, 1)

    model.compile(optimizer=keraslite.optimizers.Adam(0.01), loss="binary_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert np.isfinite(after) and after < 0.9 * before
    # Weights are still float32 after training.
    assert all(w.dtype == "float32" for w in model.weights)


def test_mixed_precision_new_layers_follow_the_policy():
    mixed_precision.set_global_policy("mixed_bfloat16")
    emb = layers.Embedding(300, 4)
    idx = np.array([[257, 3]])  # 257 is not representable in bfloat16: must stay an int
    out = emb(idx)
    assert ops.dtype(out) == "bfloat16" and emb.embeddings.dtype == "float32"
    expected = emb.get_weights()[0][idx]
    np.testing.assert_allclose(backend.convert_to_numpy(ops.cast(out, "float32")), expected,
                               rtol=1e-2)
    prelu = layers.PReLU()
    assert ops.dtype(prelu(np.ones((2, 3), "float32"))) == "bfloat16"
    assert prelu.alpha.dtype == "float32"
    noise = layers.GaussianNoise(0.1, seed=1)
    assert ops.dtype(noise(np.ones((2, 3), "float32"), training=True)) == "bfloat16"
    probs = layers.Softmax()(np.ones((2, 3), "float32"), mask=np.array([[1, 1, 0], [1, 0, 0]],
                                                                        bool))
    np.testing.assert_allclose(backend.convert_to_numpy(ops.cast(probs, "float32")),
                               [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], atol=1e-2)
