"""Depthwise convolution as a sum of shifted, channel-scaled windows, for XLA on CPU.

XLA's CPU convolution is slow inside a ``while`` loop (see conv_as_matmul.py), and a grouped
convolution has no fast matmul form: measured on 2 cores, the training step of one 3x3
depthwise convolution over a (16, 48, 48, 64) batch took 6.4 s inside keraslite's multi-step
loop against 0.19 s outside one. A depthwise kernel multiplies each window element by one weight
per channel, so the output is ``sum_u window_u(x) * kernel[u]``: element-wise products that XLA
fuses into one pass, forward and backward (35 ms for the same step, in a loop or not).
MobileNet, EfficientNet, ConvNeXt, Xception and NASNet are built on these layers. Accelerators
keep XLA's own convolution.
"""
from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp


# Below this many input elements XLA's convolution stays. The windowed form compiles 3-10x
# slower (0.6 s for a 3x3 layer's gradient, 1.6 s for 7x7), but XLA's convolution in the loop
# stays slow on small inputs too: with the limit at 65,536 elements a MobileNetV2 training
# step on a (8, 64, 64, 3) batch took 0.43 s (its 4x4 and 2x2 layers ran XLA's convolution;
# Keras 3: 0.27 s), with every layer windowed 0.076 s for 0.9 s more compilation; at 32x32,
# 0.13 -> 0.031 s for 2.9 s more (repaid after 30 steps). A three-trial ImageClassifier
# search on digits took the same time either way.
MIN_ELEMENTS = 1 << 12
# Windows of more than 3x3 compile slower still (ConvNeXt's 7x7, EfficientNet's and NASNet's
# 5x5: their one-step tests at reduced sizes took 2-3x longer windowed), so below this many
# input elements they keep XLA's convolution.
LARGE_WINDOW_MIN_ELEMENTS = 1 << 16
LARGE_WINDOW_TAPS = 9


def applies(groups: int, channels: int, kernel_in: int, pads, input_shape=None,
            window=None) -> bool:
    """A depthwise convolution (one input channel per group) with no negative padding, on CPU,
    over an input of at least ``MIN_ELEMENTS`` elements, ``LARGE_WINDOW_MIN_ELEMENTS`` for a
    ``window`` of more than 3x3 (a symbolic size keeps XLA's)."""
    if input_shape is not None:
        size = 1
        for dim in input_shape:
            size = size * dim if isinstance(dim, int) else None
            if size is None:
                return False
        taps = 1
        for dim in window or ():
            taps *= int(dim)
        if size < (LARGE_WINDOW_MIN_ELEMENTS if taps > LARGE_WINDOW_TAPS else MIN_ELEMENTS):
            return False
    return (groups > 1 and groups == channels and kernel_in == 1
            and all(lo >= 0 and hi >= 0 for lo, hi in pads)
            and jax.default_backend() == "cpu")


def conv_channels_last(x, kernel, strides, pads, dilation):
    """``x``: (batch, *spatial, channels); ``kernel``: (*window, 1, channels * multiplier), the
    layout of a grouped convolution, so output channel ``c * multiplier + m`` reads input
    channel ``c``."""
    n = len(strides)
    out_channels = kernel.shape[-1]
    multiplier = out_channels // x.shape[-1]
    x = jnp.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)])
    if multiplier > 1:
        x = jnp.repeat(x, multiplier, axis=-1)
    window = kernel.shape[:n]
    out_sizes = [(x.shape[1 + i] - ((window[i] - 1) * dilation[i] + 1)) // strides[i] + 1
                 for i in range(n)]
    weights = kernel.reshape(window + (out_channels,))
    total = None
    for tap in itertools.product(*(range(size) for size in window)):
        begin = [0] + [tap[i] * dilation[i] for i in range(n)] + [0]
        limit = ([x.shape[0]]
                 + [begin[1 + i] + (out_sizes[i] - 1) * strides[i] + 1 for i in range(n)]
                 + [out_channels])
        term = jax.lax.slice(x, begin, limit, [1] + list(strides) + [1]) * weights[tap]
        total = term if total is None else total + term
    return total
