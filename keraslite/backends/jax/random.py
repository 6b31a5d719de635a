"""Random draws on JAX from a ``uint32[2]`` seed (used directly as a threefry key)."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from keraslite import config
from keraslite.backends.common import dtypes as dt


def _key(seed):
    data = jnp.asarray(seed).astype("uint32")
    return jax.random.wrap_key_data(data, impl="threefry2x32")


def _float_dtype(dtype):
    return dt.standardize(dtype) or config.floatx()


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = jax.random.normal(_key(seed), _shape(shape), dtype=dtype)
    return sample * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return jax.random.uniform(_key(seed), _shape(shape), dtype=dtype, minval=minval, maxval=maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = jax.random.truncated_normal(_key(seed), -2.0, 2.0, _shape(shape), dtype=dtype)
    return sample * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return jax.random.randint(_key(seed), _shape(shape), minval, maxval, dtype=dt.standardize(dtype))


def shuffle(x, axis=0, seed=None):
    return jax.random.permutation(_key(seed), jnp.asarray(x), axis=axis, independent=False)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = jnp.asarray(logits)
    out = jax.random.categorical(_key(seed), logits[:, None, :], axis=-1,
                                 shape=(logits.shape[0], num_samples))
    return out.astype(dt.standardize(dtype))


def dropout_mask(shape, rate, seed=None):
    """Boolean keep-mask: True with probability ``1 - rate``."""
    return jax.random.bernoulli(_key(seed), 1.0 - rate, _shape(shape))


def set_deterministic(seed=None):
    """JAX ops are deterministic already, and draws depend only on their seed: nothing to do."""
    return None
