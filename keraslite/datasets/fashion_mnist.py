"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing
(``keras.datasets.fashion_mnist``), read from the published gzip'd IDX files."""
from __future__ import annotations

import gzip
import os

import numpy as np

from keraslite.datasets import npz_reader, sources

_LABEL_MAGIC, _IMAGE_MAGIC = 2049, 2051  # IDX: unsigned bytes, 1 and 3 dimensions
_MAX_UNPACKED = 256 * 2**20


def _read_idx(path: str, magic: int) -> np.ndarray:
    npz_reader.check_regular_file(path)
    with gzip.open(path, "rb") as f:
        raw = f.read(_MAX_UNPACKED + 1)
    dims = 1 if magic == _LABEL_MAGIC else 3
    header = 4 + 4 * dims
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes with {dims} dimensions "
                         f"(expected magic number {magic}).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path} declares shape {shape} but holds {body.size} values: the "
                         "file is truncated or corrupt. Delete it to download it again.")
    return body.reshape(shape)


def load_data():
    """Loads Fashion-MNIST (downloaded once into ``~/.keraslite/datasets/fashion-mnist``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(60000, 28, 28)`` and
        ``(10000, 28, 28)``, uint8 labels in 0..9.
    """
    folder = os.path.join("datasets", "fashion-mnist")
    paths = [sources.fetch(name, cache_subdir=folder) for name in sources.FASHION_MNIST_FILES]
    y_train = _read_idx(paths[0], _LABEL_MAGIC)
    x_train = _read_idx(paths[1], _IMAGE_MAGIC)
    y_test = _read_idx(paths[2], _LABEL_MAGIC)
    x_test = _read_idx(paths[3], _IMAGE_MAGIC)
    for x, y, part in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise ValueError(f"Fashion-MNIST {part} files disagree: {len(x)} images but "
                             f"{len(y)} labels.")
    return (x_train, y_train), (x_test, y_test)
