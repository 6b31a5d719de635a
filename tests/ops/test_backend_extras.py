"""nn ops beyond the conformance table: data formats, stability, losses, gradients, shapes."""
from __future__ import annotations

import numpy as np
import pytest

import op_refs
from keraslite import config, ops
from keraslite.backends import core as bcore
from keraslite.ops.keras_tensor import KerasTensor

rng = np.random.default_rng(7)
IMG = rng.normal(size=(2, 6, 5, 4)).astype("float32")


def np_(x):
    return ops.convert_to_numpy(x)


@pytest.fixture
def channels_first():
    config.set_image_data_format("channels_first")
    yield
    config.set_image_data_format("channels_last")


def to_cf(x):
    return np.moveaxis(x, -1, 1)


def test_conv_channels_first_matches_channels_last(channels_first):
    k = rng.normal(size=(3, 3, 2, 6)).astype("float32")  # groups=2
    expected = op_refs.conv(IMG, k, 2, "same", (1, 1))
    out = ops.conv(to_cf(IMG), k, strides=2, padding="same")  # data_format from config
    np.testing.assert_allclose(np_(out), to_cf(expected), atol=1e-4)


@pytest.mark.parametrize("op,ref", [
    (lambda x, f: ops.max_pool(x, 2, padding="same", data_format=f), lambda x: op_refs.pool(x, 2, None, "same")),
    (lambda x, f: ops.average_pool(x, 3, 2, "same", f), lambda x: op_refs.pool(x, 3, 2, "same", "avg")),
    (lambda x, f: ops.depthwise_conv(x, np.ones((2, 2, 4, 1), "float32"), 1, "valid", f),
     lambda x: op_refs.depthwise_conv(x, np.ones((2, 2, 4, 1)), 1, "valid")),
    (lambda x, f: ops.conv_transpose(x, np.ones((2, 2, 3, 4), "float32"), 2, "same", data_format=f),
     lambda x: op_refs.conv_transpose(x, np.ones((2, 2, 3, 4)), 2, "same")),
])
def test_spatial_ops_channels_first(op, ref):
    out = op(to_cf(IMG), "channels_first")
    np.testing.assert_allclose(np_(out), to_cf(ref(IMG)), atol=1e-4)


def test_conv_rejects_bad_group_count():
    with pytest.raises(ValueError, match="multiple"):
        ops.conv(IMG, np.ones((3, 3, 3, 6), "float32"))


def test_softmax_and_log_softmax_are_stable_for_huge_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [-5e4, -5e4, -5e4]], "float32")
    s = np_(ops.softmax(x))
    ls = np_(ops.log_softmax(x))
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ls))
    np.testing.assert_allclose(s, op_refs.softmax(x), atol=1e-6)
    np.testing.assert_allclose(ls[0], [0.0, -1000.0, -2000.0], rtol=1e-6)
    np.testing.assert_allclose(s.sum(-1), 1.0, atol=1e-6)


def test_crossentropy_from_logits_equals_probabilities():
    logits = rng.normal(size=(5, 4)).astype("float32") * 2
    target = np.eye(4, dtype="float32")[[0, 1, 3, 2, 0]]
    probs = op_refs.softmax(logits).astype("float32")
    a = np_(ops.categorical_crossentropy(target, logits, from_logits=True))
    b = np_(ops.categorical_crossentropy(target, probs))
    np.testing.assert_allclose(a, b, atol=1e-5)
    c = np_(ops.sparse_categorical_crossentropy(np.array([0, 1, 3, 2, 0]), logits, from_logits=True))
    np.testing.assert_allclose(a, c, atol=1e-5)
    z = np.array([[40.0, -40.0]], "float32")
    t = np.array([[0.0, 1.0]], "float32")
    bce = np_(ops.binary_crossentropy(t, z, from_logits=True))
    np.testing.assert_allclose(bce, [[40.0, 40.0]], rtol=1e-6)  # no log(0)


def test_crossentropy_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match="shape"):
        ops.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)))


def test_one_hot_out_of_range_is_all_zero():
    out = np_(ops.one_hot(np.array([0, 5, -1]), 3))
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_value_and_grad_through_conv_and_pool():
    # The reference is a float64 NumPy forward pass differentiated by central differences:
    # float32 differences of a max-pooled sum are too coarse to pin one entry to 2%.
    k = np.random.default_rng(11).normal(size=(3, 3, 4, 2)).astype("float32")

    def loss(params, x):
        y = ops.conv(x, params["k"], padding="same")
        return ops.sum(ops.square(ops.max_pool(y, 2)))

    def reference_loss(kernel):
        y = op_refs.conv(IMG.astype("float64"), kernel, padding="same")
        return np.sum(np.square(op_refs.pool(y, 2)))

    value, grads = bcore.value_and_grad(loss)({"k": ops.convert_to_tensor(k)}, IMG)
    eps = 1e-5
    numeric = np.zeros(k.shape)
    for index in np.ndindex(*k.shape):
        kp, km = k.astype("float64"), k.astype("float64")
        kp[index] += eps
        km[index] -= eps
        numeric[index] = (reference_loss(kp) - reference_loss(km)) / (2 * eps)
    np.testing.assert_allclose(np_(grads["k"]), numeric, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(np_(value), reference_loss(k.astype("float64")), rtol=1e-5)


@pytest.mark.parametrize("fn,args,shape,dtype", [
    (ops.conv.raw, (KerasTensor((None, 8, 8, 3)), np.ones((3, 3, 3, 5), "float32"), 2, "same"),
     (None, 4, 4, 5), "float32"),
    (ops.conv_transpose.raw, (KerasTensor((None, 4, 4, 3)), np.ones((3, 3, 5, 3), "float32"), 2),
     (None, 9, 9, 5), "float32"),
    (ops.max_pool.raw, (KerasTensor((None, 7, 7, 3)), 2), (None, 3, 3, 3), "float32"),
    (ops.mean.raw, (KerasTensor((None, 4), "int32"), 1), (None,), "float32"),
    (ops.get_item.raw, (KerasTensor((None, 4, 6)), (slice(None), 1)), (None, 6), "float32"),
    (ops.one_hot.raw, (KerasTensor((None,), "int32"), 10), (None, 10), "float32"),
])
def test_compute_output_spec_for_symbolic_inputs(fn, args, shape, dtype):
    out = bcore.compute_output_spec(fn, args, {})
    assert out.shape == shape and out.dtype == dtype


def test_fused_gives_the_plain_functions_values():
    # core.fused compiles a composite op as one program on JAX (and is the function itself on
    # TF): arrays are traced, other arguments static, and unhashable ones run eagerly
    def composite(x, parts, scale, mode="a", table=None):
        y = bcore.cast(x, "float32") * scale + parts[0] - parts[1]
        return (y if mode == "a" else -y), (0 if table is None else len(table))

    fused = bcore.fused(composite)
    x = IMG[0, 0]
    parts = [bcore.convert_to_tensor(IMG[0, 1]), IMG[0, 2]]
    for args, kwargs in [((x, parts, 2.0), {}), ((x, parts, 3), {"mode": "b"}),
                         ((x, parts, 2.0), {"table": [[1], [2]]})]:
        got, want = fused(*args, **kwargs), composite(*args, **kwargs)
        np.testing.assert_allclose(np_(got[0]), np_(want[0]), rtol=1e-6)
        assert int(got[1]) == want[1]
    assert fused.__name__ == "composite"
