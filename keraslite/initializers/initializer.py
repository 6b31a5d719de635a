"""The Initializer base class, fan computation and NumPy dtype/RNG helpers.

Initializers return NumPy arrays drawn with NumPy, so the same seed gives the same initial
weights on every backend.
"""
from __future__ import annotations

import math

import numpy as np

from keraslite import config
from keraslite.backends import core


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape; conv kernels multiply by the receptive field size."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def numpy_dtype(dtype):
    """A NumPy dtype for a dtype name (``bfloat16`` and friends come from ml_dtypes)."""
    name = core.standardize_dtype(dtype) or config.floatx()
    try:
        return np.dtype(name)
    except TypeError:
        import ml_dtypes  # installed with both jax and tensorflow

        return np.dtype(getattr(ml_dtypes, name))


def global_rng() -> np.random.Generator:
    try:
        from keraslite.random.seeding import numpy_rng
    except ImportError:  # seeding module not available: fall back to a fresh generator
        return np.random.default_rng()
    return numpy_rng()


class Initializer:
    """Base class: ``init(shape, dtype=None)`` returns a NumPy array of that shape and dtype.

    Example::

        class Halves(Initializer):
            def __call__(self, shape, dtype=None):
                return np.full(shape, 0.5, dtype=numpy_dtype(dtype))
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype=None).")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class RandomInitializer(Initializer):
    """An initializer that draws random numbers: from the global NumPy generator when ``seed``
    is None, otherwise from a generator seeded with ``seed`` (the same values on every call)."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(
                f"{type(self).__name__}: `seed` must be an int or None. Received: seed={seed!r}"
            )
        self.seed = None if seed is None else int(seed)

    def _rng(self) -> np.random.Generator:
        return global_rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}
