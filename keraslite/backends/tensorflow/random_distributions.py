"""Gamma, beta and binomial draws on TensorFlow from a ``uint32[2]`` seed, with
``tf.random.stateless_*`` (beta as X / (X + Y) of two gammas drawn from two derived seeds)."""
from __future__ import annotations

import tensorflow as tf

from keraslite.backends.tensorflow.random import _float_dtype, _seed, _shape


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return tf.random.stateless_gamma(_shape(shape), _seed(seed), alpha=tf.cast(alpha, dtype),
                                     dtype=dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    seed = _seed(seed)
    # Two independent streams: the second seed differs in its first word (TF's stateless ops
    # hash the whole seed, so any change gives an unrelated stream).
    other = seed + tf.constant([1, 0], "int64")
    x = tf.random.stateless_gamma(_shape(shape), seed, alpha=tf.cast(alpha, dtype), dtype=dtype)
    y = tf.random.stateless_gamma(_shape(shape), other, alpha=tf.cast(beta, dtype), dtype=dtype)
    return x / (x + y)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    # TF's sampler takes counts and probabilities in one float dtype and returns integers.
    counts = tf.cast(counts, "float32")
    probabilities = tf.cast(probabilities, "float32")
    out = tf.random.stateless_binomial(_shape(shape), _seed(seed), counts, probabilities,
                                       output_dtype="int32")
    return tf.cast(out, dtype)
