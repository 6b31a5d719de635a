"""Convolution as matrix multiplication, for XLA on CPU.

XLA's CPU convolution is slow, and about ten times slower again inside a ``while`` loop (the
multi-step training loop; see jax-ml/jax#12868). Gathering the kernel's shifted windows and
multiplying once (im2col) uses XLA's fast CPU matmul instead, inside loops and out: measured on
2 cores, a 3x3 32->64 channel convolution's training step runs 14 ms in a loop instead of 345 ms.
When the window matrix would be large, it is built and multiplied in chunks of the batch
(``windows_matmul``). Whole windows, not one matmul per window: a ResNet50 stem (7x7/2, 3->64,
batch 32 at 224x224) as 49 matmuls with an inner dimension of 3 took 84 s per training step in
the loop, as one matmul over all 49 windows 4.6 s (``python benchmarks/conv_routes.py``;
docs/conv-performance.md). Outside loops, 2D windows of
more than one element take XLA's convolution instead (conv_routes.py). Accelerators keep XLA's
own convolution.
"""
from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp

# The most bytes of gathered windows one matmul reads; larger layers run in chunks of the batch.
# 256 MB holds a ResNet50 stem or stage-1 3x3 layer at batch 32 whole (64 MB split those into
# single windows: 2.7x slower training steps for the 3x3 layer); VGG16's 224x224 layers run in
# chunks (3.7 GB of windows per layer at batch 32).
IM2COL_BYTES = 256 * 1024 * 1024


def applies(groups: int) -> bool:
    return groups == 1 and jax.default_backend() == "cpu"


def windows_matmul(x, starts, out_sizes, strides, weights):
    """``sum_u window_u(x) @ weights[u]``, where window ``u`` of the channels-last ``x`` starts at
    ``starts[u]`` (one index per spatial dim) and takes ``out_sizes`` elements ``strides`` apart.

    ``weights``: (windows, in, out). The backward pass is matmuls plus pads of the windows, so
    training stays on the fast path too.

    All windows are gathered into one matrix when it fits ``IM2COL_BYTES``. A larger layer runs
    in chunks of the batch, each one matmul over all its windows; only when a single sample's
    windows exceed the budget are the windows themselves split into groups whose matmuls are
    summed. Chunks and groups are rematerialized: their backward pass gathers the windows
    again instead of keeping them (a copy, cheap beside the matmuls).
    """
    in_ch = weights.shape[-2]
    window_bytes = x.shape[0] * math.prod(out_sizes) * in_ch * x.dtype.itemsize
    starts, out_sizes, strides = tuple(starts), tuple(out_sizes), tuple(strides)
    # A symbolic batch size (shape inference) can't be compared; every form gives one shape.
    if not isinstance(window_bytes, int) or window_bytes * len(starts) <= IM2COL_BYTES:
        return _windows_group(x, weights, starts, out_sizes, strides)
    # Kept for the backward pass, the windows of VGG16's 224x224 layers (9x the input of a
    # 3x3 kernel, 3.7 GB per layer at batch 32) and the per-window products summed over them
    # took the training step's temporary memory to 21 GB: killed on a 24 GB machine.
    group = jax.checkpoint(_windows_group, static_argnums=(2, 3, 4))
    batch = x.shape[0]
    sample_bytes = window_bytes // batch * len(starts)
    if sample_bytes <= IM2COL_BYTES:
        # A loop over the chunks (lax.map), not one call per chunk: XLA's scheduler may keep
        # every chunk's windows alive at once where the calls are side by side.
        size = min(batch, IM2COL_BYTES // sample_bytes)
        full = batch // size * size
        chunks = x[:full].reshape((full // size, size) + x.shape[1:])
        out = jax.lax.map(lambda chunk: group(chunk, weights, starts, out_sizes, strides), chunks)
        out = out.reshape((full,) + out.shape[2:])
        if full < batch:
            rest = group(x[full:], weights, starts, out_sizes, strides)
            out = jnp.concatenate([out, rest], axis=0)
        return out
    per_group = max(1, IM2COL_BYTES // window_bytes)
    n_groups = -(-len(starts) // per_group)
    size = -(-len(starts) // n_groups)  # balanced: 9 windows at 4 per group run as 3+3+3
    out = None
    for first in range(0, len(starts), size):
        term = group(x, weights[first:first + size], starts[first:first + size], out_sizes,
                     strides)
        out = term if out is None else out + term
    return out


def _windows_group(x, weights, starts, out_sizes, strides):
    """One matmul: the windows at ``starts`` gathered side by side, times their ``weights``."""
    def windowed(start):
        begin = [0] + list(start) + [0]
        limit = [x.shape[0]] + [
            b + (size - 1) * s + 1 for b, size, s in zip(start, out_sizes, strides)
        ] + [x.shape[-1]]
        return jax.lax.slice(x, begin, limit, [1] + list(strides) + [1])

    patches = jnp.concatenate([windowed(b) for b in starts], axis=-1)
    return jnp.dot(patches, weights.reshape(-1, weights.shape[-1]))


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
