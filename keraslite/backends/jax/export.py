"""SavedModel export for the JAX backend: jax2tf, when TensorFlow is installed (see
keraslite/export; ONNX is in onnx_convert)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


def save_saved_model(call: Callable[..., Any], values: Sequence[Any],
                     specs: Sequence[tuple[tuple, str, str]], path: str) -> None:
    """``call(values, *inputs)`` converted with jax2tf (unknown sizes become symbolic
    dimensions) and saved as a SavedModel with a ``serve`` signature."""
    try:
        import tensorflow as tf
        from jax.experimental import jax2tf
    except ImportError as error:
        raise ImportError(
            "Exporting a TensorFlow SavedModel from the JAX backend needs TensorFlow "
            f"(pip install tensorflow) for jax2tf ({error}). Or export format='onnx', or run "
            "with KERASLITE_BACKEND=tensorflow.") from error
    # One symbol for every input's batch dimension: the inputs of one call share it.
    shapes = ["(" + ", ".join(("b" if j == 0 else f"d{i}_{j}") if d is None else str(d)
                              for j, d in enumerate(shape)) + ")"
              for i, (shape, _, _) in enumerate(specs)]
    converted = jax2tf.convert(lambda weights, *inputs: call(weights, *inputs),
                               polymorphic_shapes=[None] + shapes, with_gradient=False)
    module = tf.Module()
    module.weights = [tf.Variable(np.asarray(v), trainable=False) for v in values]
    signature = [tf.TensorSpec(shape, dtype, name=name) for shape, dtype, name in specs]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*inputs):
        return converted([w.read_value() for w in module.weights], *inputs)

    module.serve = serve
    tf.saved_model.save(module, path, signatures={"serving_default": serve})
