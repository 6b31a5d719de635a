"""The shuffle-and-split both housing datasets share."""
from __future__ import annotations

import numpy as np

from keraslite.datasets import npz_reader


def split(local: str, test_split: float, seed: int, limit: int | None = None):
    x, y = npz_reader.require(npz_reader.load_npz(local), ["x", "y"], local)
    if len(x) != len(y):
        raise ValueError(f"{local} holds {len(x)} samples but {len(y)} targets.")
    if limit is not None:
        x, y = x[:limit], y[:limit]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))
