"""set_random_seed: one call that makes a keraslite program reproducible."""
from __future__ import annotations

import random as _py_random

import numpy as np


def set_random_seed(seed: int) -> None:
    """Seeds Python's ``random``, NumPy, keraslite's global NumPy generator (initial weights,
    unseeded SeedGenerators) and the global SeedGenerator, and asks the backend for
    deterministic ops."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"set_random_seed expects an int. Received: seed={seed!r}")
    from keraslite.backends import random as backend_random
    from keraslite.random import seed_generator, seeding

    seed = int(seed)
    _py_random.seed(seed)
    np.random.seed(seed % 2**32)
    seeding.reseed(seed)
    seed_generator.reset_global_seed_generator()
    backend_random.set_deterministic(seed)
