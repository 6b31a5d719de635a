"""Image resampling on JAX arrays (``keraslite.ops.image.resize``); channels_last batches."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from keraslite.backends.common import dtypes as dt

_METHODS = {"bilinear": "linear", "nearest": "nearest", "bicubic": "cubic",
            "lanczos3": "lanczos3", "lanczos5": "lanczos5"}
INTERPOLATIONS = tuple(_METHODS)


def resize(images, size, interpolation="bilinear", antialias=False):
    """``images`` (batch, height, width, channels) resampled to ``size`` = (height, width)."""
    images = jnp.asarray(images)
    dtype = dt.dtype_of(images)
    if not dt.is_float(dtype):
        images = images.astype(dt.float_dtype(dtype))
    shape = (images.shape[0], int(size[0]), int(size[1]), images.shape[-1])
    return jax.image.resize(images, shape, method=_METHODS[interpolation], antialias=antialias)
