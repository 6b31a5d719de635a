"""Keras's top-level names (DTypePolicy, Function, remat, device, scopes) and the
keras.dtype_policies / keras.mixed_precision names, against Keras 3 and closed forms."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, dtype_policies, mixed_precision, ops


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("name", ["float32", "bfloat16", "mixed_float16", "mixed_bfloat16"])
def test_policy_properties_and_serialization_match_keras(keras, name):
    ours, theirs = keraslite.DTypePolicy(name), keras.DTypePolicy(name)
    assert (ours.compute_dtype, ours.variable_dtype) == (theirs.compute_dtype,
                                                         theirs.variable_dtype)
    assert ours.quantization_mode is theirs.quantization_mode is None
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    float_policy = keraslite.FloatDTypePolicy(name)
    assert dtype_policies.serialize(float_policy) == keras.dtype_policies.serialize(
        keras.FloatDTypePolicy(name))
    assert isinstance(float_policy, keraslite.DTypePolicy)
    # Keras's serialized form reads back here, and ours in Keras.
    back = dtype_policies.deserialize(keras.dtype_policies.serialize(theirs))
    assert back == ours and type(back) is dtype_policies.DTypePolicy
    assert keras.dtype_policies.deserialize(dtype_policies.serialize(ours)).name == name
    assert dtype_policies.get(name) == ours and dtype_policies.get(ours) is ours


def test_policy_map_matches_keras(keras):
    def fill(lib):
        policies = lib.dtype_policies.DTypePolicyMap(default_policy="bfloat16")
        policies["encoder/dense"] = "float16"
        policies["decoder/.*"] = lib.dtype_policies.DTypePolicy("float32")
        policies["head"] = "float16"
        return policies

    ours, theirs = fill(keraslite), fill(keras)
    for path in ("encoder/dense", "decoder/dense_1", "head/out", "head", "decoder"):
        assert ours[path].name == theirs[path].name, path
    assert len(ours) == len(theirs) == 3 and ours.default_policy.name == "bfloat16"
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    copy = dtype_policies.deserialize(keras.dtype_policies.serialize(theirs))
    assert copy["decoder/x"].name == "float32" and copy["a"].name == "bfloat16"
    with pytest.raises(ValueError, match="already has a policy"):
        ours["head"] = "float32"
    ours["encoder/.*"] = "float32"  # "encoder/dense" still matches its exact key first
    assert ours["encoder/dense"].name == "float16"
    ours["decoder/d.*"] = "float32"
    with pytest.raises(ValueError, match="matches more than one key"):
        ours["decoder/dense_2"]


def test_bad_policies_are_named():
    with pytest.raises(ValueError, match="Received: dtype=3"):
        dtype_policies.get(3)
    with pytest.raises(ValueError, match="Received: name='int8_from_float32'"):
        dtype_policies.get("int8_from_float32")
    with pytest.raises(ValueError, match="unknown policy class 'os.system'"):
        dtype_policies.deserialize({"class_name": "os.system", "config": {}})
    for cls in ("QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy", "Int4DTypePolicy",
                "GPTQDTypePolicy", "AWQDTypePolicy"):
        with pytest.raises(NotImplementedError, match="does not support quantized"):
            getattr(dtype_policies, cls)("int8", "float32")


def test_mixed_precision_keras_aliases():
    try:
        mixed_precision.set_dtype_policy("mixed_bfloat16")
        assert mixed_precision.dtype_policy() == keraslite.DTypePolicy("mixed_bfloat16")
        assert keraslite.layers.Dense(2).compute_dtype == "bfloat16"
    finally:
        mixed_precision.set_dtype_policy(None)
    assert mixed_precision.dtype_policy().name == "float32"


def test_function_matches_keras_function(keras):
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")

    def graph(lib):
        a, b = lib.Input((3,)), lib.Input((3,))
        out = lib.ops.tanh(lib.ops.matmul(a, lib.ops.transpose(b))) + lib.ops.sum(a, axis=-1)
        return lib.Function([a, b], out)

    ours, theirs = graph(keraslite), graph(keras)
    np.testing.assert_allclose(backend.convert_to_numpy(ours([x, 2 * x])),
                               keras.ops.convert_to_numpy(theirs([x, 2 * x])), rtol=1e-5)
    assert len(ours.inputs) == 2 and ours.operations
    assert isinstance(keraslite.layers.Dense(1), keraslite.Operation)


def test_remat_keeps_values_and_gradients():
    w = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    x = np.ones((4, 2), "float32")

    def f(w):
        return ops.sum(ops.square(ops.sin(ops.matmul(x, w))))

    plain = backend.value_and_grad(f)(backend.convert_to_tensor(w))
    remat = backend.value_and_grad(keraslite.remat(f))(backend.convert_to_tensor(w))
    # Closed form: d/dw sum(sin(xw)^2) = x^T (2 sin(xw) cos(xw)).
    xw = x @ w
    np.testing.assert_allclose(backend.convert_to_numpy(remat[1]),
                               x.T @ (2 * np.sin(xw) * np.cos(xw)), rtol=1e-5)
    np.testing.assert_allclose(backend.convert_to_numpy(remat[0]),
                               backend.convert_to_numpy(plain[0]), rtol=1e-6)
    with pytest.raises(TypeError, match="`f` must be callable"):
        keraslite.remat(3)


def test_device_scope():
    with keraslite.device("cpu:0"):
        y = ops.add(ops.ones((2,)), 1.0)
    np.testing.assert_array_equal(backend.convert_to_numpy(y), [2.0, 2.0])
    with pytest.raises(ValueError, match="no device 'cpu:7'"):
        with keraslite.device("cpu:7"):
            pass


def test_scopes():
    from keraslite.utils import scopes

    with keraslite.name_scope("block"), keraslite.name_scope("conv"):
        assert scopes.current_path() == "block/conv"
    assert scopes.current_path() == ""
    with keraslite.SymbolicScope():
        assert scopes.in_symbolic_scope()
    assert not scopes.in_symbolic_scope()
    with keraslite.RematScope() as scope:
        assert scopes.get_current_remat_mode() is scope and scope.mode == "full"
    with pytest.raises(NotImplementedError, match="argument `mode`.*'larger_than'"):
        keraslite.RematScope(mode="larger_than")
    with pytest.raises(ValueError, match="`name` must be a non-empty string"):
        keraslite.name_scope("")
