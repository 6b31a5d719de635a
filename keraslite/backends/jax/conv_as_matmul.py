"""Convolution as matrix multiplication, for XLA on CPU.

XLA's CPU convolution is slow, and about ten times slower again inside a ``while`` loop (the
multi-step training loop; see jax-ml/jax#12868). Gathering the kernel's shifted windows and
multiplying once (im2col) uses XLA's fast CPU matmul instead, inside loops and out: measured on
2 cores, a 3x3 32->64 channel convolution's training step runs 14 ms in a loop instead of 345 ms.
When the window matrix would be large, the windows are gathered in groups of at most
``IM2COL_BYTES`` and the groups' matmuls summed. Groups, not one matmul per window: a ResNet50
stem (7x7/2, 3->64, batch 32 at 224x224) as 49 matmuls with an inner dimension of 3 took 84 s
per training step in the loop, as one matmul over all 49 windows 4.6 s
(``python benchmarks/conv_routes.py``; docs/conv-performance.md). Outside loops, 2D windows of
more than one element take XLA's convolution instead (conv_routes.py). Accelerators keep XLA's
own convolution.
"""
from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp

# The most bytes of gathered windows one matmul reads; larger layers sum several groups' matmuls.
# 256 MB holds a ResNet50 stem or stage-1 3x3 layer at batch 32 whole (64 MB split those into
# single windows: 2.7x slower training steps for the 3x3 layer); VGG16's 224x224 layers still
# split (3.7 GB of windows per layer at batch 32).
IM2COL_BYTES = 256 * 1024 * 1024


def applies(groups: int) -> bool:
    return groups == 1 and jax.default_backend() == "cpu"


def windows_matmul(x, starts, out_sizes, strides, weights):
    """``sum_u window_u(x) @ weights[u]``, where window ``u`` of the channels-last ``x`` starts at
    ``starts[u]`` (one index per spatial dim) and takes ``out_sizes`` elements ``strides`` apart.

    ``weights``: (windows, in, out). The backward pass is matmuls plus pads of the windows, so
    training stays on the fast path too.
    """
    def windowed(start):
        begin = [0] + list(start) + [0]
        limit = [x.shape[0]] + [
            b + (size - 1) * s + 1 for b, size, s in zip(start, out_sizes, strides)
        ] + [x.shape[-1]]
        return jax.lax.slice(x, begin, limit, [1] + list(strides) + [1])

    in_ch, out_ch = weights.shape[-2], weights.shape[-1]
    window_bytes = x.shape[0] * math.prod(out_sizes) * in_ch * x.dtype.itemsize
    # A symbolic batch size (shape inference) can't be compared; every grouping gives one shape.
    per_group = len(starts)
    if isinstance(window_bytes, int) and window_bytes * len(starts) > IM2COL_BYTES:
        per_group = max(1, IM2COL_BYTES // window_bytes)
    # Balanced groups: 9 windows at 4 per group run as 3+3+3, not 4+4+1.
    n_groups = -(-len(starts) // per_group)
    size = -(-len(starts) // n_groups)
    out = None
    for first in range(0, len(starts), size):
        group = starts[first:first + size]
        patches = jnp.concatenate([windowed(b) for b in group], axis=-1)
        term = jnp.dot(patches, weights[first:first + len(group)].reshape(-1, out_ch))
        out = term if out is None else out + term
    return out


def conv_channels_last(x, kernel, strides, pads, dilation):
    """``x``: (batch, *spatial, in); ``kernel``: (*window, in, out); pads: (before, after) pairs."""
    n = kernel.ndim - 2
    x = jnp.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)])
    window = kernel.shape[:n]
    out_sizes = [
        (x.shape[1 + i] - (window[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(n)
    ]
    offsets = itertools.product(*[range(k) for k in window])
    starts = [tuple(o * d for o, d in zip(offset, dilation)) for offset in offsets]
    weights = kernel.reshape((len(starts),) + kernel.shape[-2:])
    return windows_matmul(x, starts, out_sizes, strides, weights)
