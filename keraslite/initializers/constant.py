"""Deterministic initializers: Zeros, Ones, Constant, Identity."""
from __future__ import annotations

import numpy as np

from keraslite.initializers.host_arrays import aligned_full
from keraslite.initializers.initializer import Initializer, numpy_dtype


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        # Aligned: the backend adopts the array without a copy (see host_arrays).
        return aligned_full(tuple(shape), 0, numpy_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return aligned_full(tuple(shape), 1, numpy_dtype(dtype))


class Constant(Initializer):
    """Every element set to ``value`` (a scalar, or an array broadcastable to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.broadcast_to(np.asarray(self.value), tuple(shape)).astype(numpy_dtype(dtype))

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2D shapes only; non-square shapes give a rectangular eye)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity initializer needs a 2D shape. Received: shape={shape}. "
                "Use another initializer for kernels of other ranks."
            )
        return (self.gain * np.eye(*shape)).astype(numpy_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}
