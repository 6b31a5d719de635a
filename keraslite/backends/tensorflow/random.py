"""Random draws on TensorFlow from a ``uint32[2]`` seed, with ``tf.random.stateless_*``."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from keraslite import config
from keraslite.backends.common import dtypes as dt


def _seed(seed):
    if not tf.is_tensor(seed):
        seed = tf.convert_to_tensor(np.asarray(seed, dtype="uint32"))
    return tf.cast(seed, "int64")


def _float_dtype(dtype):
    return dt.standardize(dtype) or config.floatx()


def _shape(shape):
    return [shape] if isinstance(shape, int) else list(shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random.stateless_normal(_shape(shape), _seed(seed), mean=mean, stddev=stddev,
                                      dtype=_float_dtype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return tf.random.stateless_uniform(_shape(shape), _seed(seed), minval=minval, maxval=maxval,
                                       dtype=_float_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random.stateless_truncated_normal(_shape(shape), _seed(seed), mean=mean,
                                                stddev=stddev, dtype=_float_dtype(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = dt.standardize(dtype)
    compute = dtype if dtype in ("int32", "int64") else "int64"
    out = tf.random.stateless_uniform(_shape(shape), _seed(seed), minval=minval, maxval=maxval,
                                      dtype=compute)
    return tf.cast(out, dtype)


def shuffle(x, axis=0, seed=None):
    x = tf.convert_to_tensor(x)
    perm = [axis] + [i for i in range(x.shape.rank) if i != axis % x.shape.rank]
    moved = tf.transpose(x, perm) if axis % x.shape.rank else x
    keys = tf.random.stateless_uniform(tf.shape(moved)[:1], _seed(seed), dtype="float32")
    shuffled = tf.gather(moved, tf.argsort(keys, stable=True))
    if axis % x.shape.rank == 0:
        return shuffled
    return tf.transpose(shuffled, np.argsort(perm).tolist())


def categorical(logits, num_samples, dtype="int32", seed=None):
    out = tf.random.stateless_categorical(tf.convert_to_tensor(logits), num_samples, _seed(seed),
                                          dtype="int64")
    return tf.cast(out, dt.standardize(dtype))


def dropout_mask(shape, rate, seed=None):
    """Boolean keep-mask: True with probability ``1 - rate``."""
    return tf.random.stateless_uniform(_shape(shape), _seed(seed), dtype="float32") >= rate


def set_deterministic(seed=None):
    """Seeds TF's own global generator (used by code outside keraslite, e.g. ``tf.data``).

    TF's ``enable_op_determinism`` is deliberately not turned on: under XLA it refuses ops such
    as the max-pool gradient even on CPU. keraslite's compiled CPU steps are reproducible
    without it (tests/test_reproducibility.py runs a script twice and compares bits)."""
    if seed is not None:
        tf.random.set_seed(seed)
