"""``save_weights`` / ``load_weights``: keraslite's safetensors files, Keras HDF5, model files."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from keraslite.saving import tensor_file
from keraslite.saving.own_variables import arrays_with_stores, assign_with_stores

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

EXTENSION = ".safetensors"
_H5_EXTENSIONS = (".h5", ".hdf5")


def save_weights(model: Model, filepath: FilePath, overwrite: bool = True) -> None:
    """Writes every weight of ``model`` atomically: ``.safetensors`` (keraslite's format, with
    checksums) or ``.weights.h5`` (Keras 3's layout, loadable by Keras; needs h5py)."""
    path = os.fspath(filepath)
    if not path.endswith((EXTENSION, ".weights.h5")):
        raise ValueError(f"save_weights writes '{EXTENSION}' files (or Keras 3 '.weights.h5' "
                         f"files). Received: {path!r}.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists and overwrite=False.")
    _check_built(model, "save")
    if path.endswith(".weights.h5"):
        from keraslite.saving.keras_h5_writer import save_keras_weights

        save_keras_weights(model, path)
        return
    tensor_file.save_tensors(path, arrays_with_stores(model, include_seeds=False),
                             {"format": "keraslite.weights"})


def load_weights(model: Model, filepath: FilePath, skip_mismatch: bool = False) -> None:
    """Loads weights from ``.safetensors`` (keraslite), ``.keraslite``/``.keras`` (a model saved by
    keraslite) or Keras
    ``.weights.h5`` / legacy ``.h5`` files. All-or-nothing: a mismatch changes nothing."""
    path = os.fspath(filepath)
    _check_built(model, "load")
    if path.endswith(EXTENSION):
        tensors, _ = tensor_file.load_tensors(path)
        assign_with_stores(model, tensors, path, include_seeds=False,
                           skip_mismatch=skip_mismatch)
    elif path.endswith((".keraslite", ".keras")):
        from keraslite.saving.model_file import load_weights_from_model_file

        load_weights_from_model_file(model, path, skip_mismatch=skip_mismatch)
    elif path.endswith(_H5_EXTENSIONS):
        from keraslite.saving.keras_h5 import load_keras_weights

        load_keras_weights(model, path, skip_mismatch=skip_mismatch)
    else:
        raise ValueError(
            f"load_weights cannot tell the format of {path!r} from its name. Supported: "
            "'.safetensors' (keraslite), '.keraslite' (a saved model), '.weights.h5' (Keras 3) "
            "and '.h5'/'.hdf5' (legacy Keras)."
        )


def _check_built(model, verb):
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has no weights yet, so it cannot {verb} them. Build it first: "
            "call it on data, or model.build(input_shape), or start it with keraslite.Input."
        )
