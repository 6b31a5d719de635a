"""Backend-neutral random ops. ``seed`` is an int (same numbers every call), a SeedGenerator
(new numbers every call, traceable), or None (the global SeedGenerator)."""
from __future__ import annotations

from keraslite.backends import random as _random
from keraslite.ops.dispatch import _unwrap
from keraslite.random.seed_generator import draw_seed


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=draw_seed(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=draw_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples more than two standard deviations from the mean are redrawn."""
    return _random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype,
                                    seed=draw_seed(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers in ``[minval, maxval)``."""
    return _random.randint(shape, minval, maxval, dtype=dtype, seed=draw_seed(seed))


def shuffle(x, axis=0, seed=None):
    return _random.shuffle(_unwrap(x), axis=axis, seed=draw_seed(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row of ``logits`` (shape ``(batch, classes)``)."""
    return _random.categorical(_unwrap(logits), num_samples, dtype=dtype, seed=draw_seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each entry with probability ``rate`` and scales the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (broadcastable to the input shape; ``None`` entries take the input's size)
    shares one keep/drop decision along its size-1 axes.
    """
    from keraslite import ops

    inputs = _unwrap(inputs)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1). Received: rate={rate}")
    shape = ops.shape(inputs)
    if noise_shape is None:
        noise_shape = shape
    else:
        noise_shape = tuple(s if n is None else n for n, s in zip(noise_shape, shape))
    keep = _random.dropout_mask(noise_shape, rate, seed=draw_seed(seed))
    scaled = ops.divide(inputs, 1.0 - rate)
    return ops.where(keep, scaled, ops.zeros_like(scaled))


__all__ = ["normal", "uniform", "truncated_normal", "randint", "shuffle", "categorical", "dropout"]
