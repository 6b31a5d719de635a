"""Image resampling on TensorFlow tensors (``keraslite.ops.image.resize``); channels_last."""
from __future__ import annotations

import tensorflow as tf

from keraslite.backends.common import dtypes as dt

_METHODS = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic",
            "lanczos3": "lanczos3", "lanczos5": "lanczos5", "area": "area"}
INTERPOLATIONS = tuple(_METHODS)


def resize(images, size, interpolation="bilinear", antialias=False):
    """``images`` (batch, height, width, channels) resampled to ``size`` = (height, width)."""
    if isinstance(images, tf.Variable):
        images = images.value()
    images = tf.convert_to_tensor(images)
    dtype = dt.dtype_of(images)
    out_dtype = dtype if dt.is_float(dtype) else dt.float_dtype(dtype)
    # tf.image.resize computes in float32 (float64 kept) and answers float32
    out = tf.image.resize(images, (int(size[0]), int(size[1])),
                          method=_METHODS[interpolation], antialias=antialias)
    return tf.cast(out, out_dtype)
