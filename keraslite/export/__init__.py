"""``model.export(path, format=...)``: a trained model for serving stacks.

* ``format="tf_saved_model"`` (the default, as in Keras): a TensorFlow SavedModel whose
  ``serve``/``serving_default`` signature runs inference; on the TensorFlow backend directly, on
  the JAX backend through jax2tf when TensorFlow is installed (see saved_model_export);
* ``format="onnx"``: an ONNX model, through jax2onnx on JAX and tf2onnx on TensorFlow (see
  onnx_export).

``ExportArchive`` (see export_archive) writes a SavedModel with several named endpoints and
variable collections.

The model's weights are frozen into the export as variables of the saved module; the batch
dimension (and any other dimension the model's inputs leave unknown) stays dynamic.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

from keraslite.export.export_archive import ExportArchive

FORMATS = ("tf_saved_model", "onnx")


def export_model(model: Model, filepath: FilePath, format: str = "tf_saved_model",
                 verbose: bool = True, **kwargs: Any) -> None:
    """Exports ``model`` for inference; see the module docstring for the formats."""
    if format == "tf_saved_model":
        from keraslite.export.saved_model_export import export_saved_model

        export_saved_model(model, filepath, verbose=verbose, **kwargs)
        return
    if format == "onnx":
        from keraslite.export.onnx_export import export_onnx

        export_onnx(model, filepath, verbose=verbose, **kwargs)
        return
    raise ValueError(f"model.export: unknown format {format!r}. Supported: "
                     f"{', '.join(repr(f) for f in FORMATS)}.")


__all__ = ["export_model", "ExportArchive", "FORMATS"]
