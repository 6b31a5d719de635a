"""NumPy-like reductions, cumulative ops and sorting on TensorFlow tensors
(re-exported by backends/tensorflow/numpy.py)."""
from __future__ import annotations

import tensorflow as tf
from keraslite.backends.common import dtypes as dt
from keraslite.backends.tensorflow.numpy import (  # defined before numpy imports us
    _axis, _rank, _to, maximum, minimum)


# -- reductions -----------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    x = _to(x)
    return tf.reduce_sum(tf.cast(x, dt.accumulate_dtype(x.dtype.name)), axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    x = _to(x)
    return tf.reduce_prod(tf.cast(x, dt.accumulate_dtype(x.dtype.name)), axis=_axis(axis), keepdims=keepdims)


def _float_compute(x):
    out_dtype = dt.float_dtype(x.dtype.name)
    compute = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    return tf.cast(x, compute), out_dtype


def mean(x, axis=None, keepdims=False):
    x, out_dtype = _float_compute(_to(x))
    return tf.cast(tf.reduce_mean(x, axis=_axis(axis), keepdims=keepdims), out_dtype)


def var(x, axis=None, keepdims=False):
    x, out_dtype = _float_compute(_to(x))
    centered = x - tf.reduce_mean(x, axis=_axis(axis), keepdims=True)
    return tf.cast(tf.reduce_mean(tf.square(centered), axis=_axis(axis), keepdims=keepdims), out_dtype)


def std(x, axis=None, keepdims=False):
    return tf.sqrt(var(x, axis=axis, keepdims=keepdims))


def max(x, axis=None, keepdims=False, initial=None):
    x = _to(x)
    if x.dtype == tf.bool:
        out = tf.reduce_any(x, axis=_axis(axis), keepdims=keepdims)
    else:
        out = tf.reduce_max(x, axis=_axis(axis), keepdims=keepdims)
    return out if initial is None else maximum(out, tf.cast(initial, out.dtype))


def min(x, axis=None, keepdims=False, initial=None):
    x = _to(x)
    if x.dtype == tf.bool:
        out = tf.reduce_all(x, axis=_axis(axis), keepdims=keepdims)
    else:
        out = tf.reduce_min(x, axis=_axis(axis), keepdims=keepdims)
    return out if initial is None else minimum(out, tf.cast(initial, out.dtype))


def amax(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return min(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(_to(x, "bool"), axis=_axis(axis), keepdims=keepdims)


def _arg(fn, x, axis, keepdims):
    x = _to(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, "int32")
    if axis is None:
        out = fn(tf.reshape(x, [-1]), axis=0, output_type=tf.int32)
        return tf.reshape(out, [1] * _rank(x)) if keepdims else out
    out = fn(x, axis=axis, output_type=tf.int32)
    return tf.expand_dims(out, axis) if keepdims else out


def argmax(x, axis=None, keepdims=False):
    return _arg(tf.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(tf.argmin, x, axis, keepdims)


def cumsum(x, axis=None, dtype=None):
    x = _to(x)
    x = tf.cast(x, dt.standardize(dtype) or dt.accumulate_dtype(x.dtype.name))
    if axis is None:
        return tf.cumsum(tf.reshape(x, [-1]), axis=0)
    return tf.cumsum(x, axis=axis)


def cumprod(x, axis=None, dtype=None):
    x = _to(x)
    x = tf.cast(x, dt.standardize(dtype) or dt.accumulate_dtype(x.dtype.name))
    if axis is None:
        return tf.math.cumprod(tf.reshape(x, [-1]), axis=0)
    return tf.math.cumprod(x, axis=axis)


def count_nonzero(x, axis=None):
    x = _to(x)
    nz = tf.not_equal(x, tf.zeros([], x.dtype))
    return tf.reduce_sum(tf.cast(nz, "int32"), axis=_axis(axis))


def sort(x, axis=-1):
    x = _to(x)
    if x.dtype == tf.bool:
        return tf.cast(tf.sort(tf.cast(x, "int32"), axis=axis), tf.bool)
    return tf.sort(x, axis=axis)


def argsort(x, axis=-1):
    x = _to(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, "int32")
    return tf.cast(tf.argsort(x, axis=axis, stable=True), "int32")


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
