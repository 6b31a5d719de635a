"""Running keraslite layers inside ``tf.data.Dataset.map`` (and other TensorFlow graph traces).

A function given to ``Dataset.map`` is traced by TensorFlow: a layer called in it receives
symbolic ``tf.Tensor`` values that have no contents. ``Layer.__call__`` hands such calls here.

* Where the layer can run on graph tensors natively (TensorFlow backend, a layer made of ops),
  ``call_in_tf_graph`` returns ``None`` and the ordinary call proceeds: the layer becomes part
  of the dataset's graph, as in Keras.
* Otherwise (the JAX backend, whose ops cannot take TensorFlow tensors, or a layer that works
  host-side on strings such as ``StringLookup``, ``TextVectorization`` or ``Hashing``), the
  layer's ordinary eager call is wrapped in ``tf.numpy_function``: each element or batch the
  pipeline produces is handed to the layer as NumPy, and the result comes back as a tensor
  whose dtype and static shape come from the layer's ``compute_output_spec``.

The eager call runs once per element (or batch, after ``batch``), so random layers draw fresh
randomness each time from their own seed generator. The wrapped part is opaque to TensorFlow:
no gradients flow through it (preprocessing has none) and it cannot be serialized into a
SavedModel, as with any ``numpy_function``.

TensorFlow is never imported here: a graph tensor exists only if the user already imported it,
so the module is taken from ``sys.modules``.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from keraslite import backend
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.variables import _current_scope
from keraslite import tree

_GRAPH_TENSOR_TYPES = ("SymbolicTensor", "Tensor")


def is_tf_graph_tensor(x: Any) -> bool:
    """A symbolic (graph-mode) ``tf.Tensor``: one traced by tf.function or tf.data."""
    cls = type(x)
    return cls.__name__ in _GRAPH_TENSOR_TYPES and cls.__module__.startswith("tensorflow")


def runs_natively(layer) -> bool:
    """Whether ``layer`` can take TensorFlow graph tensors as they are.

    On the TensorFlow backend every layer made of ops can, except layers that process values
    host-side (they say so with ``_host_side_preprocessing = True``) and random layers traced
    outside keraslite's own compiled steps: in a dataset's graph their seed state would be read
    once, at trace time, and every batch would get the same draw; run eagerly, each batch
    advances it. (A compiled training step carries the seed state in a StatelessScope and
    threads it from step to step, so there they run natively.)"""
    if backend.backend() != "tensorflow":
        return False
    if getattr(layer, "_host_side_preprocessing", False):
        return False
    return _current_scope() is not None or not layer._all_seed_variables()


def call_in_tf_graph(layer, args: tuple, kwargs: dict):
    """Calls ``layer`` on TensorFlow graph tensors through ``tf.numpy_function``; returns None
    where the layer runs on them natively (then the caller proceeds as usual)."""
    if runs_natively(layer) or not any(is_tf_graph_tensor(x)
                                       for x in tree.flatten((args, kwargs))):
        return None
    tf = sys.modules["tensorflow"]
    flat = tree.flatten((args, kwargs))
    positions = [i for i, x in enumerate(flat) if is_tf_graph_tensor(x) or _is_tf_eager(x)]
    tensors = [flat[i] for i in positions]
    spec = _output_spec(layer, args, kwargs, flat, positions)
    flat_spec = tree.flatten(spec)
    tout = [tf.as_dtype(_tf_dtype_name(s.dtype)) for s in flat_spec]

    def eager(*arrays):
        values = list(flat)
        for i, array in zip(positions, arrays):
            values[i] = array
        a, k = tree.pack_sequence_as((args, kwargs), values)
        outputs = tree.flatten(layer(*a, **k))
        return [_to_numpy(out, s.dtype) for out, s in zip(outputs, flat_spec)]

    results = tf.numpy_function(eager, tensors, tout, stateful=True,
                                name=f"keraslite_{layer.name}")
    if not isinstance(results, (list, tuple)):
        results = [results]
    for result, s in zip(results, flat_spec):
        result.set_shape(s.shape)
    return tree.pack_sequence_as(spec, list(results))


def _is_tf_eager(x) -> bool:
    cls = type(x)
    return cls.__name__ == "EagerTensor" and cls.__module__.startswith("tensorflow")


def _tf_dtype_name(dtype: str) -> str:
    return "string" if dtype in ("string", "str", "object") else dtype


def _keras_tensor(x) -> KerasTensor:
    shape = tuple(x.shape.as_list()) if x.shape.rank is not None else ()
    dtype = x.dtype.name
    return KerasTensor(shape, "string" if dtype == "string" else dtype)


def _output_spec(layer, args, kwargs, flat, positions):
    """KerasTensors for the outputs, from the layer's own shape inference."""
    values = list(flat)
    for i in positions:
        values[i] = _keras_tensor(flat[i])
    a, k = tree.pack_sequence_as((args, kwargs), values)
    layer._maybe_build(a[0])
    try:
        spec = layer.compute_output_spec(*a, **k)
    except Exception as error:  # noqa: BLE001 - re-raised with what the user can act on
        raise TypeError(
            f"Layer '{layer.name}' ({type(layer).__name__}) was called inside a TensorFlow "
            "graph (e.g. tf.data.Dataset.map) and its output shape could not be inferred from "
            f"inputs {[tuple(v.shape) for v in tree.flatten(a[0])]}: {error}") from error
    return spec


def _to_numpy(value, dtype: str) -> np.ndarray:
    if dtype in ("string", "str", "object"):
        arr = np.asarray(value, dtype=object)
        encode = np.vectorize(lambda s: s.encode("utf-8") if isinstance(s, str) else s,
                              otypes=[object])
        return encode(arr) if arr.size else arr
    if backend.is_tensor(value):
        value = backend.convert_to_numpy(value)
    return np.asarray(value).astype(dtype, copy=False)
