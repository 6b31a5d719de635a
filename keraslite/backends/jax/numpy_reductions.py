"""NumPy-like reductions, cumulative ops and sorting on JAX arrays
(re-exported by backends/jax/numpy.py)."""
from __future__ import annotations

import jax.numpy as jnp
from keraslite.backends.common import dtypes as dt
from keraslite.backends.jax.numpy import (  # defined before numpy imports us
    _axis, _to)


# -- reductions -----------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    x = _to(x)
    return jnp.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=dt.accumulate_dtype(x.dtype))


def prod(x, axis=None, keepdims=False):
    x = _to(x)
    return jnp.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=dt.accumulate_dtype(x.dtype))


def mean(x, axis=None, keepdims=False):
    x = _to(x)
    out_dtype = dt.float_dtype(x.dtype)
    compute = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    return jnp.mean(x.astype(compute), axis=_axis(axis), keepdims=keepdims).astype(out_dtype)


def var(x, axis=None, keepdims=False):
    x = _to(x)
    out_dtype = dt.float_dtype(x.dtype)
    compute = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    return jnp.var(x.astype(compute), axis=_axis(axis), keepdims=keepdims).astype(out_dtype)


def std(x, axis=None, keepdims=False):
    return jnp.sqrt(var(x, axis=axis, keepdims=keepdims))


def max(x, axis=None, keepdims=False, initial=None):
    return jnp.max(_to(x), axis=_axis(axis), keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    return jnp.min(_to(x), axis=_axis(axis), keepdims=keepdims, initial=initial)


def amax(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return min(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return jnp.any(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return jnp.all(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    return jnp.argmax(_to(x), axis=axis, keepdims=keepdims).astype("int32")


def argmin(x, axis=None, keepdims=False):
    return jnp.argmin(_to(x), axis=axis, keepdims=keepdims).astype("int32")


def cumsum(x, axis=None, dtype=None):
    x = _to(x)
    dtype = dt.standardize(dtype) or dt.accumulate_dtype(x.dtype)
    return jnp.cumsum(x.astype(dtype), axis=axis)


def cumprod(x, axis=None, dtype=None):
    x = _to(x)
    dtype = dt.standardize(dtype) or dt.accumulate_dtype(x.dtype)
    return jnp.cumprod(x.astype(dtype), axis=axis)


def count_nonzero(x, axis=None):
    return jnp.sum(_to(x) != 0, axis=_axis(axis), dtype="int32")


def sort(x, axis=-1):
    return jnp.sort(_to(x), axis=axis)


def argsort(x, axis=-1):
    return jnp.argsort(_to(x), axis=axis, stable=True).astype("int32")


__all__ = [
    "sum",
    "prod",
    "mean",
    "var",
    "std",
    "max",
    "min",
    "amax",
    "amin",
    "any",
    "all",
    "argmax",
    "argmin",
    "cumsum",
    "cumprod",
    "count_nonzero",
    "sort",
    "argsort",
]
