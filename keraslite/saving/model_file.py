"""``model.save("m.keraslite")`` and ``load_model``: a zip of a JSON config and safetensors weights.

The archive holds two entries:

* ``config.json``: the format name and version, the keraslite version and backend that wrote it,
  the model's config (classes named from the closed registry), its compile config and whether
  optimizer state follows;
* ``model.weights.safetensors``: every model variable (keys from ``weight_paths``; a layer with
  its own ``save_own_variables`` stores what it returns, see ``own_variables``) and, when
  included, the optimizer's variables under ``optimizer/vars/<i>``, each with a checksum.

Nothing in the file is ever executed or imported: the config names classes that are looked up in
keraslite's own registry, ``register_serializable`` classes or ``custom_objects``.
"""
from __future__ import annotations

import contextlib
import json
import os
import warnings
from typing import TYPE_CHECKING, Any, cast

from keraslite.saving import archive, file_guard, tensor_file
from keraslite.saving.errors import CorruptFileError, UnsafeFileError
from keraslite.saving.own_variables import arrays_with_stores, assign_with_stores
from keraslite.saving.variable_io import assign_arrays, variables_to_arrays
from keraslite.saving.weight_paths import (is_seed_key, optimizer_variables,
                                           optimizer_variables_for_keys)
from keraslite.utils.allocation_budget import allocation_budget

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import Config, FilePath

FORMAT = "keraslite.model"
FORMAT_VERSION = 1
CONFIG_ENTRY = "config.json"
WEIGHTS_ENTRY = "model.weights.safetensors"
EXTENSION = ".keraslite"
# Keras scripts save to "model.keras": that name gets a Keras 3 archive (keras_archive_writer),
# and load_model tells the two formats apart by content (format_sniffing).
EXTENSIONS = (EXTENSION, ".keras")
# Nesting of config.json. keraslite configs nest about 6 levels per nested model; this bound
# keeps rebuilding far from Python's recursion limit.
MAX_CONFIG_DEPTH = 128


def save_model(model: Model, filepath: FilePath, overwrite: bool = True,
               include_optimizer: bool = True) -> None:
    """Writes ``model`` (architecture, weights, compile config, optimizer state) atomically."""
    path = _check_path(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists and overwrite=False.")
    if path.endswith(".keras") and _save_keras_archive(model, path, include_optimizer):
        return
    archive.write_archive(path, model_entries(model, include_optimizer=include_optimizer))


def _save_keras_archive(model: Model, path: str, include_optimizer: bool) -> bool:
    """A ``.keras`` name gets a Keras 3 archive; a model Keras cannot describe gets keraslite's
    format (which load_model tells apart by content) and a warning saying why."""
    from keraslite.saving.keras_archive_writer import save_keras_archive
    from keraslite.saving.keras_config_writing import NotExpressibleError

    try:
        save_keras_archive(model, path, include_optimizer=include_optimizer)
    except NotExpressibleError as error:
        warnings.warn(f"{path} is written in keraslite's own format, which Keras cannot read: "
                      f"{error}", stacklevel=4)
        return False
    return True


def model_entries(model: Model, include_optimizer: bool = True) -> dict[str, bytes]:
    """The archive entries ``save_model`` writes (entry name -> bytes), without touching disk.

    A pure snapshot of the model's current state, so the bytes can be prepared once and written
    elsewhere (a checkpoint thread, a forked writer) with ``archive.write_archive``.
    """
    from keraslite import __version__
    from keraslite.backend import backend
    from keraslite.saving.compile_config import get_compile_config
    from keraslite.saving.serialization import serialize_layer

    if not model.built:
        raise ValueError(f"Model '{model.name}' has not been built yet, so it has no weights to "
                         "save. Call it on data or call model.build(input_shape) first.")
    model_config = serialize_layer(model)
    try:
        compile_config = get_compile_config(model)
    except ValueError as error:
        # stacklevel 4: model_entries <- save_model <- Model.save <- the caller.
        warnings.warn(f"Model '{model.name}' is saved without its compile config ({error}); "
                      "load_model will return it uncompiled.", stacklevel=4)
        compile_config = None
    tensors = arrays_with_stores(model)
    optimizer = getattr(model, "optimizer", None)
    with_optimizer = bool(include_optimizer and compile_config is not None
                          and optimizer is not None and optimizer.built)
    if with_optimizer and optimizer is not None:  # (the test repeated for the type checker)
        tensors.update(variables_to_arrays(optimizer_variables(optimizer, model)))
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "keraslite_version": __version__,
        "backend": backend(),
        "model": model_config,
        "compile_config": compile_config,
        "optimizer_state": with_optimizer,
    }
    return {
        CONFIG_ENTRY: json.dumps(config, indent=1).encode("utf-8"),
        WEIGHTS_ENTRY: tensor_file.encode_tensors(tensors, {"format": FORMAT}),
    }


def load_model(filepath: FilePath, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Model:
    """Rebuilds a model saved with ``model.save``; ``compile`` restores the optimizer state too.

    ``safe_mode`` is accepted for Keras compatibility and is always on: nothing a file names is
    ever imported or run.
    """
    from keraslite.saving.compile_config import compile_from_config
    from keraslite.saving.serialization import deserialize_layer

    path = os.fspath(filepath)
    if not path.endswith(EXTENSIONS) and not os.path.isfile(path):
        raise ValueError(f"load_model expects a '{EXTENSION}' file written by model.save. "
                         f"Received: {path!r}")
    from keraslite.saving.format_sniffing import is_keras_archive

    if is_keras_archive(path):  # by content: either format may be named ".keras"
        from keraslite.saving.keras_archive_reader import load_keras_archive

        return load_keras_archive(path, custom_objects=custom_objects, compile=compile)
    entries = read_model_entries(path)
    config = parse_config(entries[CONFIG_ENTRY], path)
    source = f"{path} ({WEIGHTS_ENTRY})"
    tensors, _ = tensor_file.decode_tensors(entries[WEIGHTS_ENTRY], source)
    # The weights must cover every variable the config creates (1 MiB of slack for rounding).
    held = sum(a.nbytes for k, a in tensors.items() if not k.startswith("optimizer/"))
    with _config_errors(path), allocation_budget(held + (1 << 20), path):
        # A Model for every file save_model writes (it saves Models only).
        model = cast("Model", deserialize_layer(config["model"], custom_objects=custom_objects))
    if not model.built:
        raise ValueError(f"{path}: the saved model '{model.name}' could not be built from its "
                         "config (it has no input shape). Save it after calling it on data.")
    optimizer_arrays = {k: v for k, v in tensors.items() if k.startswith("optimizer/")}
    model_arrays = {k: v for k, v in tensors.items() if not k.startswith("optimizer/")}
    assign_with_stores(model, model_arrays, source)
    if compile and config.get("compile_config") is not None:
        with _config_errors(path):
            compile_from_config(model, config["compile_config"], custom_objects)
        if config.get("optimizer_state") and optimizer_arrays:
            model._ensure_optimizer_built()
            assign_arrays(optimizer_variables_for_keys(model.optimizer, model, optimizer_arrays),
                          optimizer_arrays,
                          f"{source}, optimizer state")
    return model


def load_weights_from_model_file(model: Model, path: FilePath,
                                  skip_mismatch: bool = False) -> None:
    """``model.load_weights("m.keraslite")``: the model weights of a saved model file."""
    from keraslite.saving.format_sniffing import is_keras_archive

    if is_keras_archive(path):
        from keraslite.saving.keras_archive_reader import load_weights_from_keras_archive

        load_weights_from_keras_archive(model, path, skip_mismatch=skip_mismatch)
        return
    entries = read_model_entries(path)
    parse_config(entries[CONFIG_ENTRY], path)
    source = f"{path} ({WEIGHTS_ENTRY})"
    tensors, _ = tensor_file.decode_tensors(entries[WEIGHTS_ENTRY], source)
    arrays = {k: v for k, v in tensors.items() if not k.startswith("optimizer/")}
    assign_with_stores(model, arrays, source, include_seeds=any(map(is_seed_key, arrays)),
                       skip_mismatch=skip_mismatch)


def read_model_entries(path: FilePath) -> dict[str, bytes]:
    """The verified entries of a model file; files keraslite did not write are named for what
    they are (a Keras HDF5 file, a Keras archive) with the way to load their weights."""
    file_guard.check_regular_file(path, "model file")
    _refuse_keras_h5(path)
    try:
        entries = archive.read_archive(path)
    except CorruptFileError:
        _refuse_keras_archive(path)
        raise
    for name in (CONFIG_ENTRY, WEIGHTS_ENTRY):
        if name not in entries:
            raise CorruptFileError(f"{path} is not a complete keraslite model file: the entry "
                                   f"'{name}' is missing.")
    return entries


@contextlib.contextmanager
def _config_errors(path):
    """Errors from rebuilding a model out of a (possibly crafted) config, made to name the file.

    keraslite's own ValueError/TypeError messages gain the file name; anything else a malformed
    config can provoke inside a layer (a missing key, an index out of range, a layer too large to
    allocate) becomes a CorruptFileError/UnsafeFileError rather than escaping as a bare
    KeyError, IndexError or MemoryError.
    """
    try:
        yield
    except (CorruptFileError, UnsafeFileError):
        raise
    except (ValueError, TypeError) as error:
        if type(error) not in (ValueError, TypeError) or path in str(error):
            raise  # a documented subclass, or already names the file
        raise type(error)(f"{path}: {error}") from error
    except RecursionError:
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} is nested too deeply to be a model "
                               "config.") from None
    except MemoryError as error:
        raise UnsafeFileError(f"{path}: {CONFIG_ENTRY} declares layers too large to allocate "
                              f"({error}).") from error
    except (LookupError, AttributeError, ArithmeticError) as error:
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} is malformed; rebuilding the model from "
                               f"it failed with {type(error).__name__}: {error}") from error


def parse_config(data: bytes, path: FilePath) -> Config:
    """The archive's config.json, checked for format and version (never evaluated)."""
    try:
        config = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} is not valid JSON ({error}).") from None
    if _depth(config) > MAX_CONFIG_DEPTH:
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} is nested more than {MAX_CONFIG_DEPTH} "
                               "levels deep; no keraslite model config is (the file is damaged "
                               "or crafted).")
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} does not describe a keraslite model.")
    version = config.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{path} was written in model format version {version!r}; this "
                         f"keraslite reads versions up to {FORMAT_VERSION}. Upgrade keraslite.")
    if not isinstance(config.get("model"), dict):
        raise CorruptFileError(f"{path}: {CONFIG_ENTRY} has no model config.")
    return config


def _depth(value) -> int:
    """How deeply lists and dicts nest in ``value`` (iterative: safe for any depth)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _no_duplicate_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise json.JSONDecodeError(f"duplicate key {key!r}", "", 0)
        out[key] = value
    return out


def _refuse_keras_archive(path):
    """A zip written by Keras itself gets an error that says so (and what to do instead)."""
    try:
        names = set(archive.entry_names(path))
    except ValueError:
        return  # not a zip, or refused: read_archive's own error is the one to report
    if {"config.json", "metadata.json"} <= names and "model.weights.h5" in names:
        raise ValueError(
            f"{path} was written by Keras, not keraslite. keraslite does not rebuild Keras "
            "archives; build the same model in keraslite and call "
            "model.load_weights('....weights.h5') with weights saved by Keras's save_weights."
        )


def _refuse_keras_h5(path):
    from keraslite.saving.h5_safety import has_hdf5_signature

    if has_hdf5_signature(path):
        raise CorruptFileError(
            f"{path} is an HDF5 file (a model or weights saved by Keras or tf.keras as '.h5'), "
            "not a keraslite model file. keraslite does not rebuild models from Keras files: "
            f"build the same model in keraslite, then call model.load_weights({str(path)!r}), "
            "which reads the weights of Keras .h5 files (full-model files included)."
        )


def _check_path(filepath) -> str:
    path = os.fspath(filepath)
    if not path.endswith(EXTENSIONS):
        raise ValueError(f"model.save writes '{EXTENSION}' files (a '.keras' name is accepted "
                         f"too). Received: {path!r}. Use a name ending in '{EXTENSION}', or "
                         "save_weights('....safetensors') for the weights alone.")
    return path
