"""CIFAR-100: 60,000 32x32 colour images in 100 classes (20 superclasses)
(``keras.datasets.cifar100``)."""
from __future__ import annotations

import os

import numpy as np

from keraslite.datasets import cifar_batches


def load_data(label_mode: str = "fine"):
    """Loads CIFAR-100 (downloaded and extracted once into ``~/.keraslite/datasets``).

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)``, int64 labels ``(50000, 1)`` and ``(10000, 1)``.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"label_mode must be 'fine' or 'coarse'. Received: label_mode="
                         f"{label_mode!r}")
    folder = cifar_batches.fetch_folder("cifar-100-python.tar.gz", "cifar-100-python-target",
                                        "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = cifar_batches.load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = cifar_batches.load_batch(os.path.join(folder, "test"), label_key=key)
    y_train = np.asarray(y_train, dtype="int64").reshape(-1, 1)
    y_test = np.asarray(y_test, dtype="int64").reshape(-1, 1)
    return ((cifar_batches.to_data_format(x_train), y_train),
            (cifar_batches.to_data_format(x_test), y_test))
