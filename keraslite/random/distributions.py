"""Gamma, beta and binomial draws under Keras's names and arguments.

The samplers are the backends' own (``jax.random``, ``tf.random.stateless_*``); the backend
module is chosen by name once, like ``keraslite.backends`` does for the other modules. Arguments
given as plain numbers are checked here, so a bad one is named on both backends instead of
surfacing as NaN or a backend error; tensors pass through unchecked (they may be traced).
"""
from __future__ import annotations

import importlib
import numbers

from keraslite import config
from keraslite.ops.dispatch import _unwrap
from keraslite.random.seed_generator import draw_seed

_backend = importlib.import_module(f"keraslite.backends.{config.BACKEND}.random_distributions")


def _check(name: str, fn: str, value, low: float, high: float | None, low_open: bool) -> None:
    if isinstance(value, bool):
        raise TypeError(f"random.{fn}: argument `{name}` must be a number or a tensor. "
                        f"Received: {name}={value!r}")
    if not isinstance(value, numbers.Real):
        return
    too_low = value <= low if low_open else value < low
    if too_low or (high is not None and value > high):
        bounds = (f"{'>' if low_open else '>='} {low}" if high is None
                  else f"in [{low}, {high}]")
        raise ValueError(f"random.{fn}: argument `{name}` must be {bounds}. "
                         f"Received: {name}={value!r}")


def gamma(shape, alpha, dtype=None, seed=None):
    """Gamma(alpha, 1) samples of ``shape`` (mean ``alpha``, variance ``alpha``).

    Example::

        x = keraslite.random.gamma((1000,), alpha=2.0, seed=0)
    """
    _check("alpha", "gamma", alpha, 0.0, None, low_open=True)
    return _backend.gamma(shape, _unwrap(alpha), dtype=dtype, seed=draw_seed(seed))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Beta(alpha, beta) samples of ``shape``, in [0, 1] with mean ``alpha / (alpha + beta)``."""
    _check("alpha", "beta", alpha, 0.0, None, low_open=True)
    _check("beta", "beta", beta, 0.0, None, low_open=True)
    return _backend.beta(shape, _unwrap(alpha), _unwrap(beta), dtype=dtype, seed=draw_seed(seed))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Binomial(counts, probabilities) samples of ``shape``: the number of successes among
    ``counts`` trials, returned in a float ``dtype`` as Keras does."""
    _check("counts", "binomial", counts, 0.0, None, low_open=False)
    if isinstance(counts, float) and not counts.is_integer():
        raise ValueError("random.binomial: argument `counts` must be a whole number. "
                         f"Received: counts={counts!r}")
    _check("probabilities", "binomial", probabilities, 0.0, 1.0, low_open=False)
    return _backend.binomial(shape, _unwrap(counts), _unwrap(probabilities), dtype=dtype,
                             seed=draw_seed(seed))


__all__ = ["gamma", "beta", "binomial"]
