"""Loading a Keras 3 ``.keras`` archive into keraslite, as data only.

A Keras 3 archive is a zip of ``metadata.json``, ``config.json`` (the model's config and its
``compile_config``) and ``model.weights.h5`` (weights in Keras 3's HDF5 layout, plus the
optimizer's state under ``optimizer/vars``). Here:

* the zip is read with the same bounds as keraslite's own archives (entry names, counts, sizes,
  zip bombs, links; nothing is extracted to a path the file chooses);
* the config is translated by ``keras_config_reading`` onto keraslite's closed registry: no module
  named in the file is imported, nothing is unpickled or evaluated;
* the weights are read by the same checked HDF5 reader as ``model.load_weights`` (external links,
  plugins and oversized datasets are refused before any array is read);
* the compile config is applied and the optimizer state restored (see
  ``keras_optimizer_state``).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from keraslite.saving import archive
from keraslite.saving.errors import CorruptFileError

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

CONFIG_ENTRY = "config.json"
METADATA_ENTRY = "metadata.json"
WEIGHTS_ENTRY = "model.weights.h5"
# Keras archives hold these three entries plus, for some preprocessing layers, asset files.
MAX_ENTRIES = 256


def is_keras_archive_entries(names: list[str]) -> bool:
    """Whether a zip's entry names are those of a Keras 3 model archive."""
    return CONFIG_ENTRY in names and METADATA_ENTRY in names and WEIGHTS_ENTRY in names


def read_entries(path: FilePath) -> dict[str, bytes]:
    """The archive's entries, checked like any archive keraslite reads (no seal required)."""
    entries = archive.read_archive(path, max_entries=MAX_ENTRIES, require_checksum=False)
    if not is_keras_archive_entries(list(entries)):
        raise CorruptFileError(f"{os.fspath(path)} is a zip archive but not a Keras model "
                               f"archive: it lacks {CONFIG_ENTRY}, {METADATA_ENTRY} or "
                               f"{WEIGHTS_ENTRY}.")
    return entries


def parse_json(data: bytes, path: str, entry: str) -> Any:
    """An entry's JSON (duplicate keys and excessive nesting refused)."""
    from keraslite.saving.model_file import MAX_CONFIG_DEPTH, _depth, _no_duplicate_keys

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise CorruptFileError(f"{path}: {entry} is not valid JSON ({error}).") from None
    if _depth(value) > MAX_CONFIG_DEPTH:
        raise CorruptFileError(f"{path}: {entry} is nested more than {MAX_CONFIG_DEPTH} levels "
                               "deep; no Keras model config is (the file is damaged or crafted).")
    return value


def load_keras_archive(filepath: FilePath, custom_objects: dict[str, Any] | None = None,
                       compile: bool = True) -> Model:
    """Rebuilds the model a Keras 3 ``.keras`` archive describes, with its weights, compile
    config and optimizer state."""
    from keraslite.saving.keras_config_reading import KerasConfigReader
    from keraslite.saving.model_file import _config_errors
    from keraslite.saving.serialization import deserialize_layer

    path = os.fspath(filepath)
    entries = read_entries(path)
    config = parse_json(entries[CONFIG_ENTRY], path, CONFIG_ENTRY)
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} does not describe a Keras model (no "
                               "'class_name').")
    reader = KerasConfigReader(path, custom_objects)
    with _config_errors(path):
        translated = reader.layer(config)
        model = cast("Model", deserialize_layer(translated, custom_objects=custom_objects))
    if not getattr(model, "built", False):
        raise ValueError(f"{path}: the model '{model.name}' could not be built from its config "
                         "(it records no input shape), so its weights cannot be loaded.")
    with _extracted(entries[WEIGHTS_ENTRY], path) as weights_path:
        from keraslite.saving.keras_h5 import load_keras_weights

        from keraslite.saving.own_variables import hooked_layers

        if model.weights or hooked_layers(model):  # a saving hook may hold non-weight state
            with _naming_archive(weights_path, path):
                load_keras_weights(model, weights_path)
        compile_config = config.get("compile_config")
        # Keras writes {} (or null) for a model that was never compiled.
        if compile and isinstance(compile_config, dict) and compile_config.get("optimizer"):
            from keraslite.saving.compile_config import compile_from_config

            with _config_errors(path):
                compile_from_config(model, translate_compile_config(reader, compile_config),
                                    custom_objects)
            with _naming_archive(weights_path, path):
                arrays = read_optimizer_arrays(weights_path)
            if arrays:
                from keraslite.saving import keras_optimizer_state

                model._ensure_optimizer_built()
                keras_optimizer_state.restore(model.optimizer, arrays,
                                              f"{path} ({WEIGHTS_ENTRY})")
    return model


def load_weights_from_keras_archive(model: Model, filepath: FilePath,
                                    skip_mismatch: bool = False) -> None:
    """``model.load_weights("m.keras")`` for an archive Keras wrote: its model.weights.h5."""
    from keraslite.saving.keras_h5 import load_keras_weights

    path = os.fspath(filepath)
    entries = read_entries(path)
    with _extracted(entries[WEIGHTS_ENTRY], path) as weights_path, \
            _naming_archive(weights_path, path):
        load_keras_weights(model, weights_path, skip_mismatch=skip_mismatch)


def translate_compile_config(reader: Any, config: dict) -> dict:
    """Keras's compile config as keraslite's: objects checked against the registries, dicts of
    per-output losses/metrics tagged as keraslite writes them."""
    out = {}
    for key, value in config.items():
        value = reader.value(value, 0, f"compile_config.{key}")
        if key in ("loss", "metrics", "weighted_metrics"):
            value = _tag_dicts(value)
        out[key] = value
    if isinstance(out.get("steps_per_execution"), bool):
        out["steps_per_execution"] = 1
    return out


def _tag_dicts(value: Any) -> Any:
    if isinstance(value, list):
        return [_tag_dicts(v) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {"__dict__": {k: _tag_dicts(v) for k, v in value.items()}}
    return value


def read_optimizer_arrays(weights_path: str) -> list:
    """The arrays under ``optimizer/vars`` (in index order), checked like any weight."""
    from keraslite.saving.h5_safety import SafeH5File

    with SafeH5File(weights_path) as safe_file:
        group = safe_file.child(safe_file.root, "optimizer/vars", "optimizer/vars")
        if group is None or not isinstance(group, safe_file.h5py.Group):
            return []
        names = safe_file.names(group, "optimizer/vars")
        if sorted(names) != sorted(str(i) for i in range(len(names))):
            raise safe_file.corrupt("group 'optimizer/vars'",
                                    f"should hold datasets named 0..{len(names) - 1}.")
        arrays = []
        for i in range(len(names)):
            where = f"optimizer/vars/{i}"
            dataset = safe_file.child(group, str(i), where)
            if not isinstance(dataset, safe_file.h5py.Dataset):
                raise safe_file.corrupt(f"'{where}'", "should be a dataset.")
            safe_file.weight_info(dataset, where)
            arrays.append(safe_file.read(dataset, where))
        return arrays


@contextlib.contextmanager
def _naming_archive(weights_path: str, path: str) -> Iterator[None]:
    """Errors about the extracted weights file name the archive entry instead."""
    try:
        yield
    except ValueError as error:
        text = str(error)
        if weights_path not in text:
            raise
        raise type(error)(text.replace(weights_path, f"{path} ({WEIGHTS_ENTRY})")) from error


class _extracted:
    """The weights entry written to a private temporary file (HDF5 reads from a file), removed
    on exit. The name is keraslite's own, never one taken from the archive."""

    def __init__(self, data: bytes, source: str) -> None:
        self.data = data
        self.source = source
        self.folder: str | None = None

    def __enter__(self) -> str:
        self.folder = tempfile.mkdtemp(prefix="kl-")  # mode 0700: private to this user
        target = os.path.join(self.folder, "w.h5")
        with open(target, "xb") as f:
            f.write(self.data)
        return target

    def __exit__(self, *exc: Any) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
