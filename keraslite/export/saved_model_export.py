"""Inference graphs as TensorFlow SavedModels (``model.export(path)``).

The model runs as a pure function of its weights (``stateless_call``), so each backend only has
to trace one function: TensorFlow with ``tf.function``, JAX through jax2tf. The weights are saved
as variables of the module (not constants folded into the graph), inputs keep their unknown
dimensions, and the folder is written under a temporary name and renamed into place, so a
failed export leaves no partial SavedModel behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath


def input_specs(model: Model) -> list[tuple[tuple, str, str]]:
    """(shape, dtype, name) of each model input, in ``model.inputs`` order."""
    inputs = getattr(model, "inputs", None)
    if not getattr(model, "built", False) or not inputs:
        raise ValueError(f"model.export needs a model with known inputs; model '{model.name}' "
                         "has none. Build it with keraslite.Input(...) (a functional or "
                         "Sequential model with an Input), or call it on data first.")
    specs = []
    for i, tensor in enumerate(inputs):
        name = getattr(tensor, "name", None) or f"input_{i}"
        specs.append((tuple(tensor.shape), str(tensor.dtype), _safe_name(name, i)))
    return specs


def _safe_name(name: str, index: int) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in str(name))
    return cleaned if cleaned and cleaned[0].isalpha() else f"input_{index}"


def pure_call(model: Model):
    """``call(weights, *inputs)``: the model's inference as a pure function of its weights."""
    trainable = len(model.trainable_variables)

    def call(weights, *inputs):
        x = inputs[0] if len(inputs) == 1 else list(inputs)
        structure = getattr(model, "_inputs_struct", None)
        if isinstance(structure, dict):
            x = dict(zip(sorted(structure), inputs))
        outputs, _ = model.stateless_call(list(weights[:trainable]), list(weights[trainable:]),
                                          x, training=False)
        return outputs

    values = [v.numpy() for v in model.trainable_variables + model.non_trainable_variables]
    return call, values


def export_saved_model(model: Model, filepath: FilePath, verbose: bool = True) -> None:
    """Writes ``model``'s inference function to the SavedModel folder ``filepath``."""
    from keraslite import config

    if config.BACKEND == "jax":
        from keraslite.backends.jax.export import save_saved_model
    else:
        from keraslite.backends.tensorflow.export import save_saved_model
    path = os.path.abspath(os.fspath(filepath))
    specs = input_specs(model)
    call, values = pure_call(model)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(dir=parent, prefix=".export-")
    try:
        save_saved_model(call, values, specs, staging)
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if verbose:
        print(f"Saved an inference SavedModel to '{path}' (signature 'serve', inputs "
              f"{[(name, shape, dtype) for shape, dtype, name in specs]}).")


__all__: list[Any] = ["export_saved_model", "input_specs", "pure_call"]
