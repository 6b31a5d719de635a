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
    patch_bytes = x.shape[0] * math.prod(out_sizes) * len(starts) * in_ch * x.dtype.itemsize
    # A symbolic batch size (shape inference) can't be compared; both paths give one shape.
    if not isinstance(patch_bytes, int) or patch_bytes <= IM2COL_BYTES:
        patches = jnp.concatenate([windowed(b) for b in starts], axis=-1)
        return jnp.dot(patches, weights.reshape(len(starts) * in_ch, out_ch))
    out = None
    for u, b in enumerate(starts):
        term = jnp.dot(windowed(b), weights[u])
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
