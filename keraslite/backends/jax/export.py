"""Export for the JAX backend: a TensorFlow SavedModel through jax2tf (when TensorFlow is
installed) and ONNX through jax2onnx (see keraslite/export)."""
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




def onnx_model_bytes(call: Callable[..., Any], values: Sequence[Any],
                     specs: Sequence[tuple[tuple, str, str]], opset: int) -> bytes:
    """``call(values, *inputs)`` as a serialized ONNX model (jax2onnx), the weights folded in as
    initializers; unknown dimensions become named symbolic dimensions (the batch: "batch")."""
    try:
        from jax2onnx import to_onnx
    except ImportError as error:
        raise ImportError("Exporting ONNX from the JAX backend needs jax2onnx and onnx: pip "
                          f"install \"keraslite[onnx]\" ({error}).") from error
    import jax.numpy as jnp

    weights = [jnp.asarray(v) for v in values]
    shapes = [tuple(("batch" if j == 0 else f"d{i}_{j}") if d is None else int(d)
                    for j, d in enumerate(shape)) for i, (shape, _, _) in enumerate(specs)]
    names = [name for _, _, name in specs]
    proto = to_onnx(lambda *inputs: call(weights, *inputs), shapes, opset=opset,
                    input_names=names, model_name="keraslite_model")
    return proto.SerializeToString()
