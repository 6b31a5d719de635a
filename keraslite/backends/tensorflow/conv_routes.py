"""Routes for strided window ops that TensorFlow's generic CPU kernels refuse.

TensorFlow's generic (Eigen) CPU kernels, the ones every x86-64 CPU gets, compute a depthwise
convolution only with equal row and column strides, and not strided and dilated at once (it
then silently gives wrong numbers); a dilated convolution runs through space_to_batch, which
takes only stride 1. oneDNN lifts some of these limits, but it is on only on some CPUs and
builds, so no route here depends on it. Each route computes the refused configuration with
calls the generic kernels take:

* ``native``: the configuration is taken as is. Equal strides, as in MobileNetV2's (2, 2)
  depthwise layers, always are: they pay for no rewrite.
* ``subsample``: the op at smaller strides (each dividing its own), then every k-th output kept.
  The only route for a strided and dilated op; it computes (stride / run stride) times the
  outputs it keeps along each axis.
* ``phases``: unequal depthwise strides (sh, sw) as the sum of stride-1 depthwise
  convolutions, one per phase of the input (``x[p::sh, q::sw]``) with the kernel taps that
  read it: every tap is applied once per output, as at the native stride, where the subsample
  route computes sh * sw / gcd(sh, sw)**2 times the outputs it keeps. Taken where it makes at
  most ``MAX_PHASES`` calls (docs/tensorflow-conv-performance.md has the timings).
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import tensorflow as tf

from keraslite.backends.common import conv_utils

# native(x, strides, padding) -> output: the TF call for a channels_last input at some strides
Native = Callable[[tf.Tensor, tuple, str], tf.Tensor]
# native(x, kernel, strides, padding) -> output: the same with the kernel (taps) as argument
NativeWithKernel = Callable[[tf.Tensor, tf.Tensor, tuple, str], tf.Tensor]


def same_pads(x, kernel_spatial, strides, dilation) -> list:
    """The (before, after) padding "same" gives ``x`` (channels_last) for these strides; sizes
    unknown until run time are padded with tensors."""
    pads = []
    for i, (k, s, d) in enumerate(zip(kernel_spatial, strides, dilation), start=1):
        size = x.shape[i]
        if size is not None:
            pads.append(conv_utils.padding_amounts((size,), (k,), (s,), (d,), "same")[0])
            continue
        size = tf.shape(x)[i]
        total = tf.maximum(((size + s - 1) // s - 1) * s + conv_utils.effective_kernel(k, d)
                           - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


# The most stride-1 calls the phase route makes: with 2 ((1, 2), (2, 1)) it took half the
# forward time of the subsample route and no more gradient time; with 3 or more ((1, 3),
# (2, 3), (2, 4)) its gradient was up to 1.5x slower (benchmarks/tf_conv_routes.py).
MAX_PHASES = 2


def depthwise_route(strides: Sequence[int], dilation: Sequence[int],
                    kernel_spatial: Sequence[int], spatial_known: bool) -> tuple:
    """``(route, run_strides)`` for a 2-D depthwise convolution (see the module doc)."""
    strides = tuple(strides)
    if max(dilation) > 1:
        return ("native" if max(strides) == 1 else "subsample"), (1, 1)
    if strides[0] == strides[1]:
        return "native", strides
    calls = math.prod(min(s, k) for s, k in zip(strides, kernel_spatial))
    if spatial_known and calls <= MAX_PHASES:
        return "phases", (1, 1)
    # the largest equal stride that divides both wastes the least
    g = math.gcd(*strides)
    return "subsample", (g, g)


def conv_route(strides: Sequence[int], dilation: Sequence[int]) -> tuple:
    """``(route, run_strides)`` for a plain convolution: only dilation limits the strides."""
    strides = tuple(strides)
    if max(dilation) > 1 and max(strides) > 1:
        return "subsample", (1,) * len(strides)
    return "native", strides


def subsample(native: Native, x, kernel_spatial, strides, padding, dilation, run_strides):
    """``native(x, strides, padding)`` computed as ``native`` at ``run_strides`` (each dividing
    its stride) on the explicitly padded input, then every (stride / run_stride)-th output kept:
    output i of a stride-s window op is output i * s / r of the same op at stride r."""
    steps = tuple(s // r for s, r in zip(strides, run_strides))
    if all(step == 1 for step in steps):
        return native(x, tuple(strides), padding)
    if padding == "SAME":
        x = tf.pad(x, [(0, 0)] + same_pads(x, kernel_spatial, strides, dilation) + [(0, 0)])
    out = native(x, tuple(run_strides), "VALID")
    return out[(slice(None),) + tuple(slice(None, None, step) for step in steps)]


def phases(native: NativeWithKernel, x, kernel, strides, padding):
    """An undilated 2-D depthwise convolution at unequal ``strides`` (sh, sw) as stride-1
    convolutions of the input's phases: output row i reads input rows i * sh + t for the kernel
    rows t = p + sh * u, which are rows i + u of the phase image ``x[p::sh]``. So the op is the
    sum over phases (p, q) of the stride-1 convolution of ``x[p::sh, q::sw]`` with the kernel
    taps ``kernel[p::sh, q::sw]``: every tap is applied once per output, as at the native
    stride, and the phase images come from a reshape, not from slices with steps (the
    subsample route's, which took twice the forward time at strides (1, 2)). Needs static
    spatial sizes (the phases are planned in Python)."""
    (kh, kw), (sh, sw) = tuple(kernel.shape[:2]), strides
    if padding == "SAME":
        x = tf.pad(x, [(0, 0)] + same_pads(x, (kh, kw), strides, (1, 1)) + [(0, 0)])
    height, width = x.shape[1], x.shape[2]
    out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
    # phase-image sizes: enough rows for the phase with the most taps (phase 0)
    rows, cols = out_h + -(-kh // sh) - 1, out_w + -(-kw // sw) - 1
    if out_h < 1 or out_w < 1:  # an empty output: TF's own error or empty result
        return subsample(lambda i, s, p: native(i, kernel, s, p), x, (kh, kw), strides,
                         "VALID", (1, 1), (math.gcd(sh, sw),) * 2)
    # crop or zero-pad to exactly rows * sh by cols * sw; the rows cut are never read
    x = x[:, :rows * sh, :cols * sw]
    if x.shape[1] < rows * sh or x.shape[2] < cols * sw:
        x = tf.pad(x, [(0, 0), (0, rows * sh - x.shape[1]), (0, cols * sw - x.shape[2]),
                       (0, 0)])
    channels = x.shape[-1] if x.shape[-1] is not None else tf.shape(x)[-1]
    split = tf.reshape(x, tf.stack([tf.shape(x)[0], rows, sh, cols, sw, channels]))
    # unstack, not slicing: the gradient of a slice is a zero tensor of the whole input per
    # phase (twice the gradient's time, measured); that of unstack is one stack
    images = [tf.unstack(part, axis=3) for part in tf.unstack(split, axis=2)]
    terms = []
    for p in range(min(sh, kh)):
        for q in range(min(sw, kw)):
            conv = native(images[p][q], kernel[p::sh, q::sw], (1, 1), "VALID")
            terms.append(conv[:, :out_h, :out_w])
    return tf.add_n(terms) if len(terms) > 1 else terms[0]
