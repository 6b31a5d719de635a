"""Writes an ExportArchive (keraslite/export/export_archive.py) as a TensorFlow SavedModel.

Shared by both backends: each endpoint arrives as a function of (weights, *inputs) that
TensorFlow can trace, directly on the TensorFlow backend, through jax2tf on JAX (see
keraslite/backends/jax/export_archive.py). TensorFlow is imported only when an archive is
written, so the JAX backend does not need it otherwise.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

# (name, fn(weights, *flat_inputs), [(shape, dtype, input name), ...])
Endpoint = tuple[str, Callable[..., Any], Sequence[tuple[tuple, str, str]]]


def save_archive(endpoints: Sequence[Endpoint], values: Sequence[Any],
                 trainable: Sequence[bool], collections: Mapping[str, Sequence[int]],
                 path: str, options: Any = None) -> None:
    """Saves one ``tf.function`` per endpoint (each also a signature; the first is
    ``serving_default`` too unless one has that name), the weights as variables
    (``variables``, ``trainable_variables``, ``non_trainable_variables``) and each collection
    as a list of those variables under its name."""
    try:
        import tensorflow as tf
    except ImportError as error:
        raise ImportError("ExportArchive.write_out writes a TensorFlow SavedModel and needs "
                          f"TensorFlow (pip install tensorflow) ({error}).") from error
    root = tf.__internal__.tracking.AutoTrackable()
    weights = [tf.Variable(v, trainable=bool(t)) for v, t in zip(values, trainable)]
    root.variables = list(weights)
    root.trainable_variables = [w for w, t in zip(weights, trainable) if t]
    root.non_trainable_variables = [w for w, t in zip(weights, trainable) if not t]
    for name, indices in collections.items():
        setattr(root, name, [weights[i] for i in indices])
    signatures = {}
    for name, fn, specs in endpoints:
        endpoint = _endpoint(tf, fn, specs, weights)
        setattr(root, name, endpoint)
        signatures[name] = endpoint.get_concrete_function()
    if "serving_default" not in signatures:
        signatures["serving_default"] = signatures[endpoints[0][0]]
    if options is not None and not isinstance(options, tf.saved_model.SaveOptions):
        raise TypeError("ExportArchive.write_out: options must be a tf.saved_model.SaveOptions "
                        f"or None. Received: {type(options).__name__}.")
    tf.saved_model.save(root, path, signatures=signatures, options=options)


def _endpoint(tf: Any, fn: Callable[..., Any], specs: Sequence[tuple[tuple, str, str]],
              weights: list) -> Any:
    """``fn`` over the saved weights as a ``tf.function`` of the signature's inputs only."""
    signature = [tf.TensorSpec(shape, dtype, name=input_name)
                 for shape, dtype, input_name in specs]

    @tf.function(input_signature=signature, autograph=False)
    def endpoint(*inputs):
        return fn([w.read_value() for w in weights], *inputs)

    return endpoint
