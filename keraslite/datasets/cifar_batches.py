"""Reads the batch files of the CIFAR "python version" archives without unpickling them.

Each batch is a pickled dict ``{b"data": uint8 array (n, 3072), b"labels": [int, ...], ...}``
(CIFAR-100: ``b"fine_labels"``, ``b"coarse_labels"``), parsed by ``pickle_reader``, which
understands only plain data and NumPy arrays and never runs anything the file names.
"""
from __future__ import annotations

import os

import numpy as np

from keraslite import config
from keraslite.datasets import npz_reader, pickle_reader, sources


def load_batch(fpath: str, label_key: str = "labels"):
    """``(images (n, 3, 32, 32) uint8, labels list[int])`` from one CIFAR batch file."""
    npz_reader.check_regular_file(fpath)
    with open(fpath, "rb") as f:
        raw = f.read()
    try:
        batch = pickle_reader.loads(raw)
    except pickle_reader.UnsafeFileError as error:
        raise pickle_reader.UnsafeFileError(f"{fpath}: {error}") from None
    if not isinstance(batch, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch: it holds a {type(batch).__name__}.")
    batch = {k.decode("utf-8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or \
            data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{fpath} is not a CIFAR batch: 'data' must be a uint8 array of "
                         f"shape (n, 3072). Received: {getattr(data, 'shape', type(data))}")
    if not isinstance(labels, list) or len(labels) != len(data) or not all(
            isinstance(v, int) for v in labels):
        raise ValueError(f"{fpath} is not a CIFAR batch: {label_key!r} must be a list of "
                         f"{len(data)} ints.")
    return data.reshape(len(data), 3, 32, 32), labels


def fetch_folder(archive: str, fname: str, inner: str) -> str:
    """The extracted folder ``inner`` of the published CIFAR ``archive``."""
    folder = sources.fetch(archive, fname=fname, extract=True)
    return os.path.join(folder, inner)


def to_data_format(x: np.ndarray) -> np.ndarray:
    """Channels-first batches as ``config.image_data_format()`` asks."""
    return x.transpose(0, 2, 3, 1) if config.image_data_format() == "channels_last" else x
