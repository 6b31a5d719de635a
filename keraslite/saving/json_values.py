"""Plain call arguments (numbers, strings, tuples, slices, small arrays, tensor references) as JSON.

Functional configs record how each layer was called. Those arguments are data, so they are written
as JSON with a few tagged forms for what JSON lacks (tuples, slices, ``...``, NumPy arrays and
references to symbolic tensors). Decoding builds only those same plain values; a tag it does not
know is an error, never a name to look up.
"""
from __future__ import annotations

import numpy as np

_ARRAY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64"}
_MAX_ARRAY_ELEMENTS = 1 << 16


def encode(value, tensor_ref, where: str):
    """``value`` as JSON-ready data; ``tensor_ref(t)`` encodes a symbolic tensor.

    Args:
        where: names the layer/argument in the error raised for a value that cannot be saved.
    """
    from keraslite.ops.keras_tensor import KerasTensor

    if isinstance(value, KerasTensor):
        return {"__tensor__": tensor_ref(value)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [encode(v, tensor_ref, where) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, tensor_ref, where) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{where}: dict arguments need string keys to be saved. Received: "
                             f"{sorted(map(repr, value))}")
        return {"__dict__": {k: encode(v, tensor_ref, where) for k, v in value.items()}}
    if isinstance(value, slice):
        return {"__slice__": [encode(v, tensor_ref, where)
                              for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, np.ndarray) and value.dtype.name in _ARRAY_DTYPES:
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.name}
    raise ValueError(
        f"{where}: an argument of type {type(value).__name__} cannot be saved in a config. "
        "Only numbers, strings, lists, tuples, dicts, slices, NumPy arrays and tensors can."
    )


def decode(data, tensor_of, where: str):
    """Inverse of ``encode``; ``tensor_of(ref)`` returns the symbolic tensor for a reference."""
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [decode(v, tensor_of, where) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ValueError(f"{where}: malformed argument in the config: {_short(data)}")
    if "__tensor__" in data:
        return tensor_of(data["__tensor__"])
    if "__tuple__" in data and isinstance(data["__tuple__"], list):
        return tuple(decode(v, tensor_of, where) for v in data["__tuple__"])
    if "__dict__" in data and isinstance(data["__dict__"], dict):
        return {str(k): decode(v, tensor_of, where) for k, v in data["__dict__"].items()}
    if "__slice__" in data and isinstance(data["__slice__"], list) and len(data["__slice__"]) == 3:
        return slice(*(decode(v, tensor_of, where) for v in data["__slice__"]))
    if data.get("__ellipsis__") is True:
        return Ellipsis
    if "__ndarray__" in data and data.get("dtype") in _ARRAY_DTYPES:
        array = np.asarray(data["__ndarray__"], dtype=data["dtype"])
        if array.size > _MAX_ARRAY_ELEMENTS:
            raise ValueError(f"{where}: a constant array argument of {array.size} elements is "
                             f"larger than the {_MAX_ARRAY_ELEMENTS} a config may hold.")
        return array
    raise ValueError(f"{where}: malformed argument in the config: {_short(data)}")


def _short(data) -> str:
    text = repr(data)
    return text if len(text) < 120 else text[:117] + "..."
