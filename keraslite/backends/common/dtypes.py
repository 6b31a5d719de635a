"""Dtype promotion shared by every backend, so an op gives the same result dtype everywhere.

Pure Python + NumPy: it imports no backend. Values are classified as *strong* (anything with a
``dtype``: tensors, NumPy arrays) or *weak* (Python and NumPy scalars). Weak values only decide
the kind (bool < int < float) and never widen a strong dtype:

* bool op bool -> bool (arithmetic ops turn that into int32, see ``arithmetic_dtype``);
* int op float -> the float dtype; intN op intM -> the wider; signed op unsigned -> a signed
  type wide enough for both; float16 op bfloat16 -> float32;
* a Python int keeps a strong int/float dtype and makes bool -> int32;
* a Python float keeps a strong float dtype and makes int/bool -> ``floatx`` (float32);
* with no strong value: float -> floatx, int -> int32, bool -> bool.
"""
from __future__ import annotations

import numpy as np

from keraslite import config

FLOATS = ("bfloat16", "float16", "float32", "float64")
SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
_BITS = {
    "bool": 1, "int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16,
    "uint32": 32, "uint64": 64, "bfloat16": 16, "float16": 16, "float32": 32, "float64": 64,
    "complex64": 64, "complex128": 128,
}
_ALIASES = {"float": "float32", "int": "int32", "double": "float64", "bool_": "bool", "half": "float16"}


def _floatx() -> str:
    return config.floatx()


def standardize(dtype) -> str | None:
    """A dtype name (``"float32"``) from a string, NumPy dtype, or backend dtype object."""
    if dtype is None:
        return None
    if isinstance(dtype, str):
        name = dtype
    elif hasattr(dtype, "name") and isinstance(dtype.name, str):
        name = dtype.name
    else:
        name = np.dtype(dtype).name
    return _ALIASES.get(name, name)


def is_float(dtype) -> bool:
    return standardize(dtype) in FLOATS


def is_int(dtype) -> bool:
    d = standardize(dtype)
    return d in SIGNED or d in UNSIGNED


def is_complex(dtype) -> bool:
    return standardize(dtype) in ("complex64", "complex128")


def is_weak(x) -> bool:
    """Python scalars and NumPy scalars (``np.float64(2.0)``) are weakly typed."""
    return isinstance(x, (bool, int, float, np.generic)) and not isinstance(x, np.ndarray)


def _weak_kind(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (int, np.integer)):
        return "int"
    if isinstance(x, (complex, np.complexfloating)):
        return "complex"
    return "float"


def dtype_of(x) -> str:
    """The dtype a value gets when converted on its own (lists follow the scalar rules)."""
    if hasattr(x, "dtype") and not is_weak(x):
        return standardize(x.dtype)
    if is_weak(x):
        return result_type(x)
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        return _floatx()
    if arr.dtype == np.int64:
        return "int32"
    return standardize(arr.dtype)


def _promote_pair(a: str, b: str) -> str:
    if a == b:
        return a
    if a == "bool":
        return b
    if b == "bool":
        return a
    if is_complex(a) or is_complex(b):
        return "complex128" if "complex128" in (a, b) or "float64" in (a, b) else "complex64"
    fa, fb = a in FLOATS, b in FLOATS
    if fa and fb:
        if {a, b} == {"float16", "bfloat16"}:
            return "float32"
        return a if _BITS[a] >= _BITS[b] else b
    if fa:
        return a
    if fb:
        return b
    ua, ub = a in UNSIGNED, b in UNSIGNED
    if ua == ub:
        return a if _BITS[a] >= _BITS[b] else b
    signed, unsigned = (b, a) if ua else (a, b)
    if _BITS[signed] > _BITS[unsigned]:
        return signed
    return "int%d" % min(64, 2 * _BITS[unsigned])


def result_type(*values) -> str:
    """Result dtype of combining ``values`` (tensors, arrays, scalars, lists, or dtype names
    passed as ``np.dtype``/strings are not accepted here: use ``promote`` for dtypes)."""
    strong, weak = [], []
    for v in values:
        if v is None:
            continue
        if is_weak(v):
            weak.append(_weak_kind(v))
        elif hasattr(v, "dtype"):
            strong.append(standardize(v.dtype))
        else:
            strong.append(dtype_of(v))
    return _combine(strong, weak)


def promote(*dtypes) -> str:
    """Promotion of dtype names only (all strong)."""
    return _combine([standardize(d) for d in dtypes if d is not None], [])


def _combine(strong, weak) -> str:
    if strong:
        out = strong[0]
        for d in strong[1:]:
            out = _promote_pair(out, d)
        if "complex" in weak and not is_complex(out):
            return "complex128" if out == "float64" else "complex64"
        if "float" in weak and not (out in FLOATS or is_complex(out)):
            return _floatx()
        if "int" in weak and out == "bool":
            return "int32"
        return out
    if "complex" in weak:
        return "complex64"
    if "float" in weak:
        return _floatx()
    if "int" in weak:
        return "int32"
    return "bool"


def arithmetic_dtype(dtype) -> str:
    """bool arithmetic computes in int32."""
    return "int32" if standardize(dtype) == "bool" else standardize(dtype)


def float_dtype(dtype) -> str:
    """Math that only makes sense on floats (sqrt, exp, mean, true division): ints -> floatx."""
    d = standardize(dtype)
    return d if (d in FLOATS or is_complex(d)) else _floatx()


def accumulate_dtype(dtype) -> str:
    """sum/prod/cumsum: bool and narrow ints accumulate in int32 (uint8/16 in uint32)."""
    d = standardize(dtype)
    if d in ("bool", "int8", "int16"):
        return "int32"
    if d in ("uint8", "uint16"):
        return "uint32"
    return d
