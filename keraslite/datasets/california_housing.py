"""California housing prices: 20,640 districts of 8 features
(``keras.datasets.california_housing``)."""
from __future__ import annotations

from keraslite.datasets import housing, sources

_SMALL = 600


def load_data(version: str = "large", path: str = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113):
    """Returns ``(x_train, y_train), (x_test, y_test)``; ``version="small"`` keeps the first
    600 districts, ``"large"`` all of them."""
    if version not in ("small", "large"):
        raise ValueError(f"version must be 'small' or 'large'. Received: version={version!r}")
    test_split = sources.check_split(test_split)
    local = sources.fetch("california_housing.npz", fname=path)
    return housing.split(local, test_split, seed, _SMALL if version == "small" else None)
