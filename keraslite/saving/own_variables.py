"""Keras's custom saving hook: layers that override ``save_own_variables`` /
``load_own_variables`` get a dict store from every weight format.

A user layer may keep state that is not a Variable (a vocabulary, a lookup table) or lay out its
variables its own way; Keras hands such a layer a store (``store["0"] = ...``) when saving and the
same keys back when loading. keraslite does the same in each format: the Keras ``.weights.h5`` /
``.keras`` layout (the store is the layer's ``vars`` group) and its own safetensors files (the
store's keys sit under ``<layer path>/own_variables/``). Layers that do not override the hooks are
saved as before, key for key.

A store holds numeric (or bool) arrays only: values are converted with NumPy, and a string,
object or ragged value is a TypeError naming the layer and key, never pickled. Loading reads and
checks every array first; if a hook then raises, every weight of the model is put back as it was,
so a failed load leaves the model unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from keraslite.layers.layer_members import overrides_saving_hooks
from keraslite.saving.variable_io import assign_arrays, variables_to_arrays
from keraslite.saving.weight_paths import (hooked_layer_prefixes, named_variables,
                                           variables_for_keys)

if TYPE_CHECKING:
    from keraslite.layers.layer import Layer

# A store key names an HDF5 dataset or one part of a safetensors key: no separators.
_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
# The key part under a layer's path that holds its store in keraslite's files.
STORE_SEGMENT = "own_variables/"


def has_hooks(layer: Layer) -> bool:
    """Whether ``layer`` overrides the saving hooks (and so is saved through a store)."""
    return overrides_saving_hooks(layer)


def saved_store(layer: Layer) -> dict[str, np.ndarray]:
    """``{key: array}`` that ``layer.save_own_variables`` puts into a fresh store."""
    store: dict[str, Any] = {}
    layer.save_own_variables(store)
    out = {}
    for key, value in store.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise TypeError(
                f"Layer '{layer.name}'.save_own_variables stored a value under the key {key!r}; "
                "keys must be short strings of letters, digits, '_', '-' or '.'.")
        out[key] = _as_array(layer, key, value)
    return out


def _as_array(layer, key, value) -> np.ndarray:
    numpy = getattr(value, "numpy", None)
    try:
        array = np.asarray(numpy() if callable(numpy) else value)
    except (ValueError, TypeError) as error:  # ragged lists, unconvertible objects
        raise TypeError(f"Layer '{layer.name}'.save_own_variables stored a value under '{key}' "
                        f"that is not an array ({type(value).__name__}: {error}).") from None
    if array.dtype.kind not in "biuf" and array.dtype.name != "bfloat16":
        raise TypeError(
            f"Layer '{layer.name}'.save_own_variables stored an array of dtype {array.dtype} "
            f"under '{key}'; weight files hold numbers (and bools) only, so encode text as "
            "integers (e.g. np.frombuffer(text.encode('utf-8'), 'uint8')).")
    return array


def load_store(layer: Layer, store: dict[str, np.ndarray], source: str) -> None:
    """Calls ``layer.load_own_variables(store)``; an error inside it becomes a ValueError
    naming the layer and the file (a missing key is a KeyError in the user's hook)."""
    try:
        layer.load_own_variables(dict(store))
    except (KeyError, IndexError, ValueError, TypeError) as error:
        detail = (f"the key {error} is missing (the store holds {sorted(store)[:8]})"
                  if isinstance(error, KeyError) else f"{type(error).__name__}: {error}")
        raise ValueError(f"Cannot load {source} into layer '{layer.name}': its "
                         f"load_own_variables failed: {detail}") from error


@contextmanager
def restored_on_error(layers: list) -> Iterator[None]:
    """Every weight of ``layers`` put back as it was if the block raises."""
    seen, snapshot = set(), []
    for layer in layers:
        for variable in layer.weights:
            if id(variable) not in seen:
                seen.add(id(variable))
                snapshot.append((variable, np.array(variable.numpy(), copy=True)))
    try:
        yield
    except BaseException:
        for variable, value in snapshot:
            variable.assign(value)
        raise


def hooked_layers(layer: Layer) -> list:
    """The layers of ``layer``'s tree that override the saving hooks."""
    return [hooked for _, hooked in hooked_layer_prefixes(layer)]


# -- keraslite's safetensors files ----------------------------------------------------------------
def arrays_with_stores(model: Layer, include_seeds: bool = True) -> dict[str, np.ndarray]:
    """``{key: array}`` for a weights file: every variable under its state path, except that a
    layer with its own saving hook contributes its store (``<path>own_variables/<key>``) in
    place of its own variables."""
    named = named_variables(model, include_seeds)
    hooked = hooked_layer_prefixes(model)
    if not hooked:
        return variables_to_arrays(named)
    own = {id(v) for _, layer in hooked for v in layer._own_weights()}
    arrays = variables_to_arrays({k: v for k, v in named.items() if id(v) not in own})
    for prefix, layer in hooked:
        for key, array in saved_store(layer).items():
            arrays[f"{prefix}{STORE_SEGMENT}{key}"] = array
    return arrays


def assign_with_stores(model: Layer, arrays: dict[str, np.ndarray], source: str,
                       include_seeds: bool = True, skip_mismatch: bool = False) -> None:
    """Assigns what ``arrays_with_stores`` wrote: variables by key (all checked first, see
    ``assign_arrays``), then each hooked layer's store through its ``load_own_variables``.
    A file written before a layer had its hook (its variables under their own keys, no store)
    loads key by key."""
    variables = variables_for_keys(model, arrays, include_seeds)
    arrays = dict(arrays)
    stores = []
    for prefix, layer in hooked_layer_prefixes(model):
        head = prefix + STORE_SEGMENT
        store = {key[len(head):]: arrays.pop(key) for key in list(arrays) if key.startswith(head)}
        own = {id(v) for v in layer._own_weights()}
        own_keys = [key for key, v in variables.items() if id(v) in own]
        if not store and own_keys and all(key in arrays for key in own_keys):
            continue
        for key in own_keys:
            del variables[key]
        stores.append((layer, store))
    with restored_on_error([model] if stores else []):
        assign_arrays(variables, arrays, source, skip_mismatch=skip_mismatch)
        for layer, store in stores:
            load_store(layer, store, source)
