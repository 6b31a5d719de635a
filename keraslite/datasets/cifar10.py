"""CIFAR-10: 60,000 32x32 colour images in 10 classes (``keras.datasets.cifar10``)."""
from __future__ import annotations

import os

import numpy as np

from keraslite.datasets import cifar_batches

_TRAIN_BATCHES = 5


def load_data():
    """Loads CIFAR-10 (downloaded and extracted once into ``~/.keraslite/datasets``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)`` (channels first under ``image_data_format()=="channels_first"``),
        uint8 labels ``(50000, 1)`` and ``(10000, 1)`` in 0..9.
    """
    folder = cifar_batches.fetch_folder("cifar-10-python.tar.gz", "cifar-10-batches-py-target",
                                        "cifar-10-batches-py")
    parts = [cifar_batches.load_batch(os.path.join(folder, f"data_batch_{i}"))
             for i in range(1, _TRAIN_BATCHES + 1)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(y, dtype="uint8") for _, y in parts])
    x_test, y_test = cifar_batches.load_batch(os.path.join(folder, "test_batch"))
    y_train = y_train.reshape(-1, 1)
    y_test = np.asarray(y_test, dtype="uint8").reshape(-1, 1)
    return ((cifar_batches.to_data_format(x_train), y_train),
            (cifar_batches.to_data_format(x_test.astype("uint8")), y_test))
