"""Gamma, beta and binomial draws on JAX from a ``uint32[2]`` seed (``jax.random``'s exact
rejection samplers, traceable).

Each sampler is wrapped in ``jax.jit``: run eagerly, ``jax.random.gamma`` dispatches and
compiles its rejection loop op by op (several seconds per new shape on a CPU), while the jitted
function compiles once per shape and dtype, and runs inside a compiled step unchanged.
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from keraslite.backends.jax.random import _float_dtype, _key, _shape


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _gamma(seed, alpha, shape, dtype):
    return jax.random.gamma(_key(seed), jnp.asarray(alpha, dtype), shape, dtype=dtype)


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _beta(seed, alpha, beta, shape, dtype):
    return jax.random.beta(_key(seed), jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype), shape,
                           dtype=dtype)


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _binomial(seed, counts, probabilities, shape, dtype):
    # jax.random.binomial works in a float dtype; counts are whole numbers in it.
    return jax.random.binomial(_key(seed), jnp.asarray(counts, dtype),
                               jnp.asarray(probabilities, dtype), shape, dtype=dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    return _gamma(seed, alpha, _shape(shape), _float_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    return _beta(seed, alpha, beta, _shape(shape), _float_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    return _binomial(seed, counts, probabilities, _shape(shape), _float_dtype(dtype))
