"""``keraslite.random``: seeded random draws that are reproducible and traceable."""
from keraslite.random.random import (  # noqa: F401
    categorical, dropout, normal, randint, shuffle, truncated_normal, uniform,
)
from keraslite.random.distributions import beta, binomial, gamma  # noqa: F401
from keraslite.random.seed_generator import SeedGenerator, draw_seed  # noqa: F401
from keraslite.random.seeding import numpy_rng  # noqa: F401

__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "shuffle",
           "categorical", "dropout", "numpy_rng", "draw_seed", "gamma", "beta", "binomial"]
