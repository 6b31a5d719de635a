"""The global NumPy generator that initial weights and unseeded SeedGenerators draw from.

Drawing initial values on the host with NumPy (not with the backend) is what makes a model's
starting weights identical on JAX and TensorFlow for the same ``set_random_seed``.
"""
from __future__ import annotations

import numpy as np

_state = {"rng": None}


def numpy_rng() -> np.random.Generator:
    """The module-global ``np.random.Generator`` (from OS entropy until ``reseed`` is called)."""
    if _state["rng"] is None:
        _state["rng"] = np.random.default_rng()
    return _state["rng"]


def reseed(seed) -> None:
    """Replaces the global generator with one seeded by ``seed`` (``None``: OS entropy)."""
    _state["rng"] = np.random.default_rng(seed)
