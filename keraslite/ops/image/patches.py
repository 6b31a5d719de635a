"""Patch extraction: every ``size`` window of an image (or volume) as one feature vector."""
from __future__ import annotations

import numpy as np

from keraslite.backends import core as _core
from keraslite.backends import nn as _nn
from keraslite.backends import numpy as _bnp
from keraslite.ops.dispatch import fused_op
from keraslite.ops.image._format import data_format as _fmt, to_batch_last


def _patches(x, size, strides, dilation_rate, padding, op):
    n = len(size)
    channels = x.shape[-1]
    if channels is None:
        raise ValueError(f"ops.image.{op}: the channel axis of the input must be known. "
                         f"Received: shape={tuple(x.shape)}")
    count = int(np.prod(size))
    # one-hot kernel: output feature (window position, channel) copies one input value, in the
    # (rows, cols[, depth], channels) order of TF's extract_patches
    kernel = np.zeros(tuple(size) + (channels, count * channels), "float32")
    for pos, idx in enumerate(np.ndindex(*size)):
        for c in range(channels):
            kernel[idx + (c, pos * channels + c)] = 1.0
    dtype = _core.standardize_dtype(x.dtype)
    work = x if dtype.startswith(("float", "bfloat")) else _core.cast(x, "float32")
    out = _nn.conv(work, _core.cast(_bnp.array(kernel), work.dtype), strides, padding,
                   "channels_last", dilation_rate)
    return out if work is x else _core.cast(out, dtype)


def _tuple(value, n, name, op):
    if isinstance(value, int):
        return (value,) * n
    if isinstance(value, (list, tuple)) and len(value) == n:
        return tuple(value)
    raise ValueError(f"ops.image.{op}: argument `{name}` must be an int or {n} ints. "
                     f"Received: {name}={value!r}")


def _extract(images, size, strides, dilation_rate, padding, data_format, n, op, name):
    size = _tuple(size, n, "size", op)
    strides = size if strides is None else _tuple(strides, n, "strides", op)
    dilation_rate = _tuple(dilation_rate, n, "dilation_rate", op)
    if padding not in ("valid", "same"):
        raise ValueError(f"ops.image.{op}: argument `padding` must be 'valid' or 'same'. "
                         f"Received: padding={padding!r}")
    fmt = _fmt(data_format, op)
    x, restore = to_batch_last(images, fmt, op, name, ranks=(n + 1, n + 2))
    return restore(_patches(x, size, strides, dilation_rate, padding, op))


@fused_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Windows of ``size`` (int or (rows, cols)) every ``strides`` (default: ``size``), each
    flattened to ``rows * cols * channels`` features in (row, col, channel) order."""
    return _extract(images, size, strides, dilation_rate, padding, data_format, 2,
                    "extract_patches", "images")


@fused_op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """``extract_patches`` over volumes: windows of (depth, rows, cols) flattened."""
    return _extract(volumes, size, strides, dilation_rate, padding, data_format, 3,
                    "extract_patches_3d", "volumes")


__all__ = ["extract_patches", "extract_patches_3d"]
