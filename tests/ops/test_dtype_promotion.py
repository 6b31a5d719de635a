"""Result dtypes are the same on every backend (TF never promotes on its own)."""
from __future__ import annotations

import numpy as np
import pytest

from keraslite import ops
from keraslite.backends.common import dtypes as dt


def arr(dtype):
    return np.ones((2,), dtype=dtype)


def has_x64():
    return ops.dtype(ops.convert_to_tensor(np.ones(2, "float64"))) == "float64"


@pytest.mark.parametrize("a,b,expected", [
    (arr("float32"), arr("float32"), "float32"),
    (arr("int32"), arr("float32"), "float32"),
    (arr("int32"), arr("float16"), "float16"),
    (arr("int8"), arr("int32"), "int32"),
    (arr("int8"), arr("uint8"), "int16"),
    (arr("uint8"), arr("uint16"), "uint16"),
    (arr("float16"), ops.cast(arr("float32"), "bfloat16"), "float32"),
    (arr("bool"), arr("bool"), "int32"),          # bool arithmetic -> int32
    (arr("bool"), arr("int8"), "int8"),
    (arr("int32"), 2, "int32"),                    # python scalars take the other dtype
    (arr("int8"), 2, "int8"),
    (arr("float16"), 2.5, "float16"),
    (arr("int32"), 2.5, "float32"),                # int op python float -> floatx
    (arr("bool"), 1, "int32"),
    (arr("uint8"), np.float64(1.5), "float32"),    # numpy scalars are weak too
    (3, 4, "int32"),
    (3, 4.0, "float32"),
    ([1, 2], [1.0, 2.0], "float32"),               # lists: float64 -> float32, int64 -> int32
])
def test_add_result_dtype(a, b, expected):
    assert ops.dtype(ops.add(a, b)) == expected
    assert ops.dtype(ops.add(b, a)) == expected
    assert dt.arithmetic_dtype(dt.result_type(a, b)) == expected


def test_float64_arrays_follow_the_backends_64_bit_support():
    # float64 stays float64 where the backend has it; JAX without jax_enable_x64 narrows
    # 64-bit values to 32 bits (documented), so the same sum is float32 there.
    wide = "float64" if has_x64() else "float32"
    assert ops.dtype(ops.add(arr("float64"), arr("float32"))) == wide
    assert ops.dtype(ops.add(arr("float64"), 1.5)) == wide
    assert ops.dtype(ops.add(arr("float32"), 1.5)) == "float32"


@pytest.mark.parametrize("fn,args,expected", [
    (ops.mean, (arr("int32"),), "float32"),
    (ops.var, (arr("int8"),), "float32"),
    (ops.sum, (arr("bool"),), "int32"),
    (ops.sum, (arr("int8"),), "int32"),
    (ops.sum, (arr("float16"),), "float16"),
    (ops.mean, (arr("float16"),), "float16"),
    (ops.cumsum, (arr("bool"),), "int32"),
    (ops.prod, (arr("uint8"),), "uint32"),
    (ops.divide, (arr("int32"), arr("int32")), "float32"),
    (ops.true_divide, (arr("int8"), 2), "float32"),
    (ops.floor_divide, (arr("int32"), 2), "int32"),
    (ops.sqrt, (arr("int32"),), "float32"),
    (ops.exp, (arr("bool"),), "float32"),
    (ops.sigmoid, (arr("int32"),), "float32"),
    (ops.negative, (arr("bool"),), "int32"),
    (ops.abs, (arr("int8"),), "int8"),
    (ops.equal, (arr("int32"), 1.5), "bool"),
    (ops.argmax, (arr("float32"),), "int32"),
    (ops.argsort, (arr("float32"),), "int32"),
    (ops.count_nonzero, (arr("float32"),), "int32"),
    (ops.matmul, (np.ones((2, 2), "int8"), np.ones((2, 2), "int8")), "int32"),
    (ops.matmul, (np.ones((2, 2), "bool"), np.ones((2, 2), "int32")), "int32"),
    (ops.where, (arr("bool"), arr("int32"), 1.5), "float32"),
    (ops.maximum, (arr("int32"), 0.0), "float32"),
    (ops.clip, (arr("int32"), 0, 1), "int32"),
    (ops.zeros, ((2,),), "float32"),
    (ops.full, ((2,), 3), "int32"),
    (ops.arange, (0, 3, 0.5), "float32"),
    (ops.linspace, (0, 3, 4), "float32"),
    (ops.one_hot, (np.array([1, 0]), 3), "float32"),
    (ops.concatenate, ([arr("int32"), arr("float16")],), "float16"),
    (ops.stack, ([arr("uint8"), arr("int8")],), "int16"),
])
def test_op_result_dtype(fn, args, expected):
    assert ops.dtype(fn(*args)) == expected


def test_result_type_helper_without_values():
    assert dt.promote("int32", "float16") == "float16"
    assert dt.promote("uint32", "int32") == "int64"
    assert dt.result_type(True) == "bool"
    assert dt.result_type(1.0, True) == "float32"
    assert ops.result_type(arr("int16"), 1) == "int16"
