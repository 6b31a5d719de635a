"""TensorFlow SavedModel export for the TensorFlow backend (see keraslite/export)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf


def save_saved_model(call: Callable[..., Any], values: Sequence[Any],
                     specs: Sequence[tuple[tuple, str, str]], path: str) -> None:
    """Writes a SavedModel whose ``serve`` (and ``serving_default``) signature runs
    ``call(values, *inputs)``; ``values`` become the module's variables, ``specs`` are
    (shape with None for unknown sizes, dtype, name) per input."""
    module = tf.Module()
    module.weights = [tf.Variable(v, trainable=False) for v in values]
    signature = [tf.TensorSpec(shape, dtype, name=name) for shape, dtype, name in specs]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*inputs):
        return call([w.read_value() for w in module.weights], *inputs)

    module.serve = serve
    tf.saved_model.save(module, path, signatures={"serving_default": serve})


def onnx_model_bytes(call: Callable[..., Any], values: Sequence[Any],
                     specs: Sequence[tuple[tuple, str, str]], opset: int) -> bytes:
    """``call(values, *inputs)`` traced by ``tf.function`` and converted by tf2onnx, the weights
    folded in as initializers; unknown dimensions stay dynamic."""
    try:
        import tf2onnx
    except ImportError as error:
        raise ImportError("Exporting ONNX from the TensorFlow backend needs tf2onnx and onnx: "
                          f"pip install tf2onnx onnx ({error}).") from error
    # Variables, which tf2onnx freezes into initializers (captured eager constants would
    # become extra graph inputs).
    weights = [tf.Variable(v, trainable=False) for v in values]
    signature = [tf.TensorSpec(shape, dtype, name=name) for shape, dtype, name in specs]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*inputs):
        return call([w.read_value() for w in weights], *inputs)

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=opset)
    return proto.SerializeToString()
