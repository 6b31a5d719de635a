"""Fitting host batches of ``x`` to the inputs a model declares, before they reach the device.

Two of Keras's input standardizations, done once per array on the host:

- **Rank.** A model expecting ``(None, 46, 46, 46, 1)`` accepts ``(n, 46, 46, 46)`` (the missing
  trailing axis of size 1 is added), and ``(n, 4, 1)`` for ``(None, 4)`` loses its trailing 1.
- **Wide integers.** The backends compute integer inputs in int32 (JAX without x64 would wrap an
  int64 silently on the way to the device: ``2**32 + 3`` became ``3``). ``data.py`` narrows int64
  and uint64 arrays whose values fit int32 and keeps the others as they are; here those are
  resolved against the input they feed:

  * a floating input (a Dense model's features) gets them converted to its float dtype, as
    Keras converts numeric data to the input's dtype. A feature ``2**33 + 5`` becomes the
    nearest float32, ``8589934592.0``: the usual rounding of a float conversion, not a wrap;
  * any other input (Embedding ids, an integer ``Input``) or an input the model does not
    declare (a subclassed model) is refused with a ValueError naming the input and the first
    offending index: an id cannot be rounded.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from keraslite import config
from keraslite.utils import tree

_INT32 = np.iinfo(np.int32)
WIDE_INTEGERS = (np.dtype(np.int64), np.dtype(np.uint64))


def outside_int32(array: np.ndarray) -> np.ndarray:
    return (array < _INT32.min) | (array > _INT32.max)


def first_index(mask: np.ndarray) -> tuple:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _declared_inputs(model, x) -> list:
    """The model's input KerasTensors aligned with ``tree.flatten(x)`` (None where unknown)."""
    leaves = tree.flatten(x)
    inputs = getattr(model, "inputs", None)
    if not inputs:
        return [None] * len(leaves)
    inputs = list(inputs)
    if isinstance(x, dict):
        names = getattr(model, "input_names", None) or []
        by_name = dict(zip(names, inputs))
        return [by_name.get(k) for k in sorted(x)] if len(leaves) == len(x) else [None] * len(
            leaves)
    if isinstance(x, (list, tuple)):
        return inputs if len(x) == len(inputs) == len(leaves) else [None] * len(leaves)
    return inputs if len(inputs) == 1 else [None]


def _names(x) -> list:
    """Readable names of the leaves of ``x`` in ``tree.flatten`` order (``x``, ``x[0]``,
    ``x['age']``)."""
    out: list = []

    def walk(s, name):
        if isinstance(s, (list, tuple)):
            for i, item in enumerate(s):
                walk(item, f"{name}[{i}]")
        elif isinstance(s, dict):
            for key in sorted(s):
                walk(s[key], f"{name}[{key!r}]")
        else:
            out.append(name)

    walk(x, "x")
    return out


def _adjust_rank(array, ref):
    if ref is None or not hasattr(array, "ndim"):
        return array
    want = len(ref.shape)
    if array.ndim == want - 1 and ref.shape[-1] == 1 and want > 1:
        return array[..., None]
    if array.ndim == want + 1 and array.shape[-1] == 1 and want > 1:
        return array[..., 0]
    return array


def _fit_integers(array, ref, name):
    if not isinstance(array, np.ndarray) or array.dtype not in WIDE_INTEGERS:
        return array
    if array.size == 0 or not outside_int32(array).any():
        return array.astype(np.int32)
    ref_dtype = str(getattr(ref, "dtype", "") or "")
    if "float" in ref_dtype:
        # A numeric feature: converted as Keras converts data to a float input.
        return array.astype(ref_dtype if ref_dtype != "float64" else config.floatx())
    bad = outside_int32(array)
    where = first_index(bad)
    raise ValueError(
        f"{name} holds {int(bad.sum())} integer value(s) outside the int32 range "
        f"[{_INT32.min}, {_INT32.max}] that integer inputs are computed in; the first is "
        f"{array[where]} at index {where}. Ids (e.g. Embedding inputs) must fit int32. If these "
        "are numeric features, give the model a float input (keraslite.Input(shape, "
        "dtype='float32')) or pass x.astype('float32')."
    )


def standardize_inputs(model: Any, x: Any) -> Any:
    """``x`` with each array fitted to the model's declared input (rank, wide integers)."""
    if x is None:
        return x
    leaves = tree.flatten(x)
    refs = _declared_inputs(model, x)
    names = _names(x)
    fitted = [_fit_integers(_adjust_rank(a, ref), ref, name)
              for a, ref, name in zip(leaves, refs, names)]
    return tree.pack_as(x, fitted)
