"""ONNX from the TensorFlow backend through tf2onnx (see keraslite/export/onnx_export.py).

tf2onnx 1.17 passes TensorFlow's ``Erfc`` through under its own name, but ONNX defines only
``Erf``: exact gelu (``tf.nn.gelu(approximate=False)`` computes ``0.5 x erfc(-x / sqrt 2)``)
gave a graph ONNX's checker refuses. ``Erfc`` is rewritten here as ``1 - Erf(x)``: for the
arguments where erfc is tiny the difference is lost in float32, but gelu multiplies it by x,
so the absolute error stays at float32 rounding.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf


def onnx_model_bytes(call: Callable[..., Any], values: Sequence[Any],
                     specs: Sequence[tuple[tuple, str, str]], opset: int) -> bytes:
    """``call(values, *inputs)`` traced by ``tf.function`` and converted by tf2onnx, the weights
    folded in as initializers; unknown dimensions stay dynamic."""
    try:
        import tf2onnx
    except ImportError as error:
        raise ImportError("Exporting ONNX from the TensorFlow backend needs tf2onnx and onnx: "
                          f"pip install \"keraslite[onnx]\" ({error}).") from error
    # Variables, which tf2onnx freezes into initializers (captured eager constants would
    # become extra graph inputs).
    weights = [tf.Variable(v, trainable=False) for v in values]
    signature = [tf.TensorSpec(shape, dtype, name=name) for shape, dtype, name in specs]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*inputs):
        return call([w.read_value() for w in weights], *inputs)

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=opset,
                                             custom_op_handlers={"Erfc": (_erfc, [])})
    return proto.SerializeToString()


def _erfc(ctx: Any, node: Any, name: str, args: list) -> None:
    """Rewrites the node ``Erfc(x)`` in place as ``Sub(1, Erf(x))``."""
    from tf2onnx import utils

    dtype = utils.map_onnx_to_numpy_type(ctx.get_dtype(node.input[0]))
    erf = ctx.make_node("Erf", [node.input[0]], op_name_scope=node.name)
    one = ctx.make_const(utils.make_name(f"{node.name}_one"), np.array(1, dtype=dtype))
    node.type = "Sub"
    ctx.replace_inputs(node, [one.output[0], erf.output[0]])
