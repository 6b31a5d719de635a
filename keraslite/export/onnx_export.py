"""``model.export(path, format="onnx")``: the inference graph as an ONNX model.

On the JAX backend the model's pure inference function (``stateless_call``) is converted by
jax2onnx, a maintained JAX-to-ONNX converter (Keras 3 itself moved its JAX ONNX export to it);
TensorFlow is not needed. The batch dimension stays dynamic; the weights are stored in the file
as initializers; the opset is ``OPSET`` unless another is asked for. When a layer has no ONNX
form in the converter, the error names the first such layer.

On the TensorFlow backend ONNX export is refused with the way round it: tf2onnx, the usual
converter, does not support NumPy 2, which keraslite's TensorFlow stack uses. Export from the JAX
backend instead (the same saved model loads on either backend).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from keraslite.export.saved_model_export import input_specs, pure_call
from keraslite.saving.atomic_io import atomic_write_bytes

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

OPSET = 21


def export_onnx(model: Model, filepath: FilePath, verbose: bool = True,
                opset: int = OPSET) -> None:
    """Writes ``model``'s inference graph to the ONNX file ``filepath`` (atomically)."""
    from keraslite import config

    if config.BACKEND != "jax":
        raise ValueError(
            "model.export(format='onnx') runs on the JAX backend (through jax2onnx). On the "
            "TensorFlow backend, save the model (model.save('m.keraslite')), load it with "
            "KERASLITE_BACKEND=jax and export there, or export format='tf_saved_model'.")
    from keraslite.backends.jax.export import onnx_model_bytes

    specs = input_specs(model)
    call, values = pure_call(model)
    try:
        data = onnx_model_bytes(call, values, specs, opset)
    except ImportError:
        raise
    except Exception as error:  # the converter's own error types vary by primitive
        culprit = _first_unconvertible_layer(model, opset)
        where = f" Layer '{culprit[0]}' ({culprit[1]}) has no ONNX form in jax2onnx." if (
            culprit) else ""
        raise ValueError(f"model.export(format='onnx') could not convert model '{model.name}'."
                         f"{where} The converter said: {type(error).__name__}: "
                         f"{str(error)[:400]}") from error
    path = os.fspath(filepath)
    atomic_write_bytes(path, data)
    if verbose:
        print(f"Saved an ONNX model (opset {opset}, dynamic batch) to '{path}'.")


def _first_unconvertible_layer(model, opset) -> tuple[str, str] | None:
    """The first single-input layer of the model that fails to convert on its own."""
    from keraslite.backends.jax.export import onnx_model_bytes
    from keraslite.layers.core.input_layer import InputLayer

    for layer in getattr(model, "layers", []):
        if isinstance(layer, InputLayer):
            continue
        try:
            shape = tuple(layer.input.shape)
            dtype = str(layer.input.dtype)
        except (AttributeError, TypeError, ValueError):
            continue
        trainable = len(layer.trainable_variables)

        def call(weights, x, layer=layer, trainable=trainable):
            out, _ = layer.stateless_call(list(weights[:trainable]), list(weights[trainable:]),
                                          x, training=False)
            return out

        values = [v.numpy() for v in layer.trainable_variables + layer.non_trainable_variables]
        try:
            onnx_model_bytes(call, values, [(shape, dtype, "x")], opset)
        except Exception:  # this one does not convert
            return layer.name, type(layer).__name__
    return None
