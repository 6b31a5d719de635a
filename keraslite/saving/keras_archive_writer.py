"""``model.save("m.keras")``: a Keras 3 archive that Keras 3 itself loads.

The archive holds ``metadata.json``, ``config.json`` (the model config in Keras's spelling, see
``keras_config_writing``, with ``compile_config`` and ``build_config``) and ``model.weights.h5``
(weights in Keras 3's HDF5 layout, the places ``keras3_h5_layout`` reads, and the optimizer state
in Keras's order under ``optimizer/vars``). It is written atomically like every keraslite file.
"""
from __future__ import annotations

import datetime
import io
import json
import stat
import zipfile
from typing import TYPE_CHECKING

from keraslite.saving.atomic_io import atomic_writer

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

# The Keras 3 archive layout this writer follows (Keras reads archives of any 3.x version).
KERAS_FORMAT_VERSION = "3.0.0"


def archive_entries(model: Model, include_optimizer: bool = True) -> dict[str, bytes]:
    """The three entries of the archive (name -> bytes).

    Raises:
        keraslite.saving.keras_config_writing.NotExpressibleError: the model holds a layer Keras
            archives cannot describe (named in the message).
    """
    from keraslite import __version__
    from keraslite.saving.compile_config import get_compile_config
    from keraslite.saving.keras_config_writing import keras_compile_config, keras_layer_entry
    from keraslite.saving.serialization import serialize_layer

    if not model.built:
        raise ValueError(f"Model '{model.name}' has not been built yet, so it has no weights to "
                         "save. Call it on data or call model.build(input_shape) first.")
    config = keras_layer_entry(serialize_layer(model), model)
    try:
        compile_config = get_compile_config(model)
    except ValueError:
        compile_config = None
    config["compile_config"] = keras_compile_config(compile_config)
    if "build_config" not in config:
        shape = _input_shape(model)
        config["build_config"] = {"input_shape": shape}
    optimizer = getattr(model, "optimizer", None)
    with_optimizer = bool(include_optimizer and compile_config and optimizer is not None
                          and optimizer.built)
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "saved_by": f"keraslite {__version__}",
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    return {
        "metadata.json": json.dumps(metadata).encode("utf-8"),
        "config.json": json.dumps(config).encode("utf-8"),
        "model.weights.h5": _weights_h5(model, optimizer if with_optimizer else None),
    }


def save_keras_archive(model: Model, filepath: FilePath, include_optimizer: bool = True) -> None:
    """Writes ``model`` as a Keras 3 ``.keras`` archive, atomically."""
    entries = archive_entries(model, include_optimizer)
    with atomic_writer(filepath, readable=True) as f:
        with zipfile.ZipFile(f, "w") as archive:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = (zipfile.ZIP_DEFLATED if name.endswith(".json")
                                      else zipfile.ZIP_STORED)
                info.create_system = 3
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                archive.writestr(info, data)


def _input_shape(model):
    shape = getattr(model, "_build_shapes_dict", None) or getattr(model, "input_shape", None)
    try:
        return list(shape) if shape is not None else None
    except TypeError:
        return None


def _weights_h5(model, optimizer) -> bytes:
    try:
        import h5py
    except ImportError:
        raise ImportError("Writing Keras '.keras' archives needs h5py: pip install "
                          "\"keraslite[h5]\" (or save to '.keraslite', which needs nothing).")
    from keraslite.saving.keras_h5_writer import _Places

    walk = _Places()
    walk.visit(model, "", "")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.create_group("vars")  # present in every Keras 3 weights file, weights or not
        for vars_path, layer_name, store in walk.places:
            group = h5.require_group(vars_path)
            group.attrs["name"] = layer_name
            for key, array in store.items():
                group.create_dataset(key, data=array)
        if optimizer is not None:
            from keraslite.saving.keras_optimizer_state import arrays_in_keras_order

            arrays = arrays_in_keras_order(optimizer)
            if arrays is not None:
                group = h5.create_group("optimizer/vars")
                group.attrs["name"] = optimizer.name
                for i, array in enumerate(arrays):
                    group.create_dataset(str(i), data=array)
    return buffer.getvalue()
