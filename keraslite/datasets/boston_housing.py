"""Boston housing prices: 506 samples of 13 features (``keras.datasets.boston_housing``)."""
from __future__ import annotations

from keraslite.datasets import housing, sources


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Returns ``(x_train, y_train), (x_test, y_test)``: float arrays ``(n, 13)`` and ``(n,)``,
    shuffled with ``seed``, the last ``test_split`` share held out."""
    test_split = sources.check_split(test_split)
    return housing.split(sources.fetch("boston_housing.npz", fname=path), test_split, seed)
