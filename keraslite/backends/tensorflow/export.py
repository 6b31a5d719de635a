"""TensorFlow SavedModel export for the TensorFlow backend (see keraslite/export; ONNX is in
onnx_convert)."""
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
