"""MNIST: 70,000 28x28 grayscale handwritten digits (``keras.datasets.mnist``)."""
from __future__ import annotations

import numpy as np

from keraslite.datasets import npz_reader, sources


def load_data(path: str = "mnist.npz"):
    """Loads MNIST (downloaded once into ``~/.keraslite/datasets``).

    Args:
        path: File name of the cached copy.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` in 0..255, uint8 labels ``(60000,)`` and ``(10000,)`` in 0..9.
    """
    local = sources.fetch("mnist.npz", fname=path)
    arrays = npz_reader.load_npz(local)
    x_train, y_train, x_test, y_test = npz_reader.require(
        arrays, ["x_train", "y_train", "x_test", "y_test"], local)
    return (np.asarray(x_train), np.asarray(y_train)), (np.asarray(x_test), np.asarray(y_test))
