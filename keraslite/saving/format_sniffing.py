"""Telling a keraslite model file from a Keras 3 archive by content, never by name.

Both are zips and both may be called ``model.keras`` (keraslite wrote its own format under that
name before it wrote Keras archives), so the entry names decide: keraslite's file holds
``config.json`` and ``model.weights.safetensors``; Keras's holds ``config.json``,
``metadata.json`` and ``model.weights.h5``. Only the zip directory is read, with the same bounds
as every archive keraslite opens; nothing is decompressed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from keraslite.saving import archive
from keraslite.saving.h5_safety import has_hdf5_signature

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

KERASLITE = "keraslite"
KERAS_ARCHIVE = "keras"
HDF5 = "hdf5"
UNKNOWN = "unknown"


def sniff(path: FilePath) -> str:
    """``"keraslite"``, ``"keras"`` (a Keras 3 archive), ``"hdf5"`` or ``"unknown"``.

    Raises what ``file_guard.check_regular_file`` raises for a missing file, a folder, a FIFO or
    a device; a damaged or foreign file is ``"unknown"`` (the loader then reports why)."""
    from keraslite.saving import file_guard
    from keraslite.saving.keras_archive_reader import MAX_ENTRIES, is_keras_archive_entries

    file_guard.check_regular_file(path, "model file")
    if has_hdf5_signature(path):
        return HDF5
    try:
        names = archive.entry_names(path, max_entries=MAX_ENTRIES)
    except ValueError:
        return UNKNOWN
    if is_keras_archive_entries(names):
        return KERAS_ARCHIVE
    if "config.json" in names and "model.weights.safetensors" in names:
        return KERASLITE
    return UNKNOWN


def is_keras_archive(path: FilePath) -> bool:
    """Whether ``path`` holds a Keras 3 ``.keras`` archive (by its entries)."""
    return sniff(path) == KERAS_ARCHIVE
