"""``model.export(path, format="onnx")``: the inference graph as an ONNX model.

The model's pure inference function (``stateless_call``) is converted, on the JAX backend, by
jax2onnx, a maintained JAX-to-ONNX converter (Keras 3 itself moved its JAX ONNX export to it);
TensorFlow is not needed. On the TensorFlow backend the same function is traced by
``tf.function`` and converted by tf2onnx (checked with tf2onnx 1.17 and NumPy 2.4). Each
backend's onnx_convert module adjusts its converter where keraslite's layers need it: recurrent
layers (``lax.scan``, Bidirectional included) become an ONNX Loop and max pooling an ONNX
MaxPool over the spatial axes under jax2onnx; exact gelu's ``Erfc`` becomes ``1 - Erf`` under
tf2onnx.

The batch dimension stays dynamic (other dimensions the model's inputs leave unknown too); the
weights are stored in the file as initializers; the opset is ``OPSET[backend]`` unless
``opset=`` asks for another. The graph must pass ONNX's checker and, when onnxruntime is
installed, run there before the file is written. When a layer has no ONNX form in the
converter, the error names the first such layer.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from keraslite.export.saved_model_export import input_specs, pure_call
from keraslite.saving.atomic_io import atomic_write_bytes

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

# The default ONNX opset per backend: the newest each converter supports (jax2onnx 0.17.1,
# tf2onnx 1.17.0).
OPSET = {"jax": 21, "tensorflow": 18}


def export_onnx(model: Model, filepath: FilePath, verbose: bool = True,
                opset: int | None = None) -> None:
    """Writes ``model``'s inference graph to the ONNX file ``filepath`` (atomically)."""
    from keraslite import config

    onnx_model_bytes = _converter()
    converter = "jax2onnx" if config.BACKEND == "jax" else "tf2onnx"
    opset = OPSET[config.BACKEND] if opset is None else int(opset)
    specs = input_specs(model)
    call, values = pure_call(model)
    try:
        data = onnx_model_bytes(call, values, specs, opset)
        _check(data, specs)
    except ImportError:
        raise
    except Exception as error:  # the converter's own error types vary by primitive
        culprit = _first_unconvertible_layer(model, opset)
        where = f" Layer '{culprit[0]}' ({culprit[1]}) has no ONNX form in {converter}." if (
            culprit) else ""
        raise ValueError(f"model.export(format='onnx') could not convert model '{model.name}'."
                         f"{where} The converter said: {type(error).__name__}: "
                         f"{str(error)[:400]}") from error
    path = os.fspath(filepath)
    atomic_write_bytes(path, data)
    if verbose:
        print(f"Saved an ONNX model (opset {opset}, dynamic batch) to '{path}'.")


def _check(data: bytes, specs) -> None:
    """Refuses a converted graph that ONNX's own checker rejects (a converter may emit an op
    that ONNX does not define) or, when onnxruntime is installed, that it cannot run on a batch
    of zeros (an op onnxruntime lacks a kernel for), so no unusable file is written."""
    import onnx

    onnx.checker.check_model(onnx.load_from_string(data))
    try:
        import onnxruntime
    except ImportError:
        return
    import numpy as np

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: unused-initializer notes are not ours to fix
    session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    feed = {}
    for declared, (shape, dtype, _) in zip(session.get_inputs(), specs):
        feed[declared.name] = np.zeros(tuple(1 if d is None else d for d in shape), dtype)
    session.run(None, feed)


def _converter():
    """The backend's ``onnx_model_bytes(call, values, specs, opset)``."""
    from keraslite import config

    if config.BACKEND == "jax":
        from keraslite.backends.jax.onnx_convert import onnx_model_bytes
    else:
        from keraslite.backends.tensorflow.onnx_convert import onnx_model_bytes
    return onnx_model_bytes


def _first_unconvertible_layer(model, opset) -> tuple[str, str] | None:
    """The first single-input layer of the model that fails to convert on its own."""
    from keraslite.layers.core.input_layer import InputLayer

    onnx_model_bytes = _converter()

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
            layer_specs = [(shape, dtype, "x")]
            _check(onnx_model_bytes(call, values, layer_specs, opset), layer_specs)
        except Exception:  # this one does not convert
            return layer.name, type(layer).__name__
    return None
