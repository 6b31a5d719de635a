"""Math public ops (``keras.ops.math`` names): erf, rsqrt, logsumexp, top_k, segment ops."""
from __future__ import annotations

from keraslite.backends import nn as _nn
from keraslite.ops.dispatch import keras_op


@keras_op
def erf(x):
    return _nn.erf(x)


@keras_op
def erfinv(x):
    return _nn.erfinv(x)


@keras_op
def rsqrt(x):
    return _nn.rsqrt(x)


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    return _nn.logsumexp(x, axis=axis, keepdims=keepdims)


@keras_op
def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis: ``(values, int32 indices)``."""
    return _nn.top_k(x, k, sorted=sorted)


@keras_op
def in_top_k(targets, predictions, k):
    """Whether each ``targets[i]`` is among the ``k`` largest ``predictions[i]`` (ties count)."""
    return _nn.in_top_k(targets, predictions, k)


@keras_op
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return _nn.segment_sum(data, segment_ids, num_segments=num_segments, sorted=sorted)


@keras_op
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    return _nn.segment_max(data, segment_ids, num_segments=num_segments, sorted=sorted)


from keraslite.ops.signal import *  # noqa: E402,F401,F403
from keraslite.ops.control import segment_min, segment_prod  # noqa: E402,F401
from keraslite.ops.numpy_misc import erfc  # noqa: E402,F401
from keraslite.ops import signal as _signal  # noqa: E402

__all__ = _signal.__all__ + [
    "segment_min", "segment_prod", "erfc", "erf", "erfinv", "rsqrt", "logsumexp", "top_k",
    "in_top_k", "segment_sum", "segment_max"]
