"""Convolution as matrix multiplication, for XLA on CPU.

XLA's CPU convolution is slow, and about ten times slower again inside a ``while`` loop (the
multi-step training loop; see jax-ml/jax#12868). Gathering the kernel's shifted windows and
multiplying once (im2col) uses XLA's fast CPU matmul instead, inside loops and out: measured on
2 cores, a 3x3 32->64 channel convolution's training step runs 14 ms in a loop instead of 345 ms.
When the window matrix would be large, the windows are multiplied one at a time and summed,
which needs no extra memory. Accelerators keep XLA's own convolution.
"""
from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp

# Above this many bytes of gathered windows, sum per-window matmuls instead (no big buffer).
IM2COL_BYTES = 64 * 1024 * 1024


def applies(groups: int) -> bool:
    return groups == 1 and jax.default_backend() == "cpu"


def conv_channels_last(x, kernel, strides, pads, dilation):
    """``x``: (batch, *spatial, in); ``kernel``: (*window, in, out); pads: (before, after) pairs."""
    n = kernel.ndim - 2
    x = jnp.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)])
    window = kernel.shape[:n]
    out_sizes = [
        (x.shape[1 + i] - (window[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(n)
    ]
    offsets = list(itertools.product(*[range(k) for k in window]))

    def windowed(offset):
        start = [0] + [o * d for o, d in zip(offset, dilation)] + [0]
        limit = [x.shape[0]] + [
            o * d + (size - 1) * s + 1 for o, d, size, s in zip(offset, dilation, out_sizes, strides)
        ] + [x.shape[-1]]
        return jax.lax.slice(x, start, limit, [1] + list(strides) + [1])

    in_ch, out_ch = kernel.shape[-2], kernel.shape[-1]
    patch_bytes = x.shape[0] * math.prod(out_sizes) * len(offsets) * in_ch * x.dtype.itemsize
    if patch_bytes <= IM2COL_BYTES:
        patches = jnp.concatenate([windowed(o) for o in offsets], axis=-1)
        return jnp.dot(patches, kernel.reshape(len(offsets) * in_ch, out_ch))
    out = None
    for o in offsets:
        term = jnp.dot(windowed(o), kernel[o])
        out = term if out is None else out + term
    return out
