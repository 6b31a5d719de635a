"""Reads a dataset's ``.npz`` file with nothing unpickled: number arrays through NumPy with
``allow_pickle=False``, object arrays (ragged sequences) through ``pickle_reader``."""
from __future__ import annotations

import io
import os
import stat
import zipfile

import numpy as np

from keraslite.datasets import pickle_reader

# The largest Keras dataset file read this way (IMDB) is 17 MB; CIFAR-100 unpacks to 160 MB.
MAX_FILE_BYTES = 2 * 2**30


def check_regular_file(path, what: str = "dataset file", limit: int = MAX_FILE_BYTES) -> int:
    """The size of ``path``, after checking it is a regular file of at most ``limit`` bytes."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise FileNotFoundError(f"The {what} {os.fspath(path)!r} cannot be read: {error}") from error
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"The {what} {os.fspath(path)!r} is not a regular file.")
    if info.st_size > limit:
        raise ValueError(f"The {what} {os.fspath(path)!r} is {info.st_size} bytes; at most "
                         f"{limit} bytes are read.")
    return info.st_size


def _read_npy(name: str, raw: bytes, source: str) -> np.ndarray:
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        # 3.0 differs from 2.0 only in the header's text encoding, not its layout.
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"{source}: member {name!r} has unknown .npy version {version}")
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    if dtype != np.dtype(object):
        raise pickle_reader.UnsafeFileError(
            f"{source}: member {name!r} has a structured dtype with objects ({dtype})")
    try:
        array = pickle_reader.loads(raw[stream.tell():])
    except pickle_reader.UnsafeFileError as error:
        raise pickle_reader.UnsafeFileError(f"{source}: member {name!r}: {error}") from None
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise pickle_reader.UnsafeFileError(
            f"{source}: member {name!r} declares shape {shape} but holds something else")
    return array


def load_npz(path) -> dict[str, np.ndarray]:
    """Every ``.npy`` member of the ``.npz`` file ``path``, keyed by name without ``.npy``."""
    source = os.fspath(path)
    check_regular_file(path)
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    raise ValueError(f"{source}: member {info.filename!r} unpacks to "
                                     f"{info.file_size} bytes; at most {MAX_FILE_BYTES} are read")
                raw = archive.read(info)
                arrays[info.filename[:-4]] = _read_npy(info.filename, raw, source)
    except zipfile.BadZipFile as error:
        raise ValueError(f"{source} is not a valid .npz file: {error}") from error
    return arrays


def require(arrays: dict, keys, source) -> list:
    """``arrays[k]`` for each key, or a ValueError naming the missing ones."""
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{os.fspath(source)} lacks the arrays {missing}; it holds "
                         f"{sorted(arrays)}. The file is not the expected dataset.")
    return [arrays[k] for k in keys]
