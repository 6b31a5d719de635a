"""Spatial rearrangement ops (``keras.ops.nn`` names): depth_to_space, space_to_depth,
unfold/fold (PyTorch's im2col and its adjoint) and adaptive pooling."""
from __future__ import annotations


import numpy as np

from keraslite import config
from keraslite.backends import core as _core
from keraslite.backends import nn as _nn
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _fmt(data_format, op):
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"ops.{op}: argument `data_format` must be 'channels_last' or "
                         f"'channels_first'. Received: data_format={data_format!r}")
    return data_format


def _block(block_size, op):
    if not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"ops.{op}: argument `block_size` must be a positive int. "
                         f"Received: block_size={block_size!r}")
    return block_size


def _rank4(x, op):
    x = _np.array(x) if not hasattr(x, "shape") else x
    if len(x.shape) != 4:
        raise ValueError(f"ops.{op}: argument `x` must have rank 4. "
                         f"Received: x.shape={tuple(x.shape)}")
    return x


@keras_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Moves channel blocks into ``block_size`` x ``block_size`` spatial blocks (TF's order)."""
    b = _block(block_size, "depth_to_space")
    fmt = _fmt(data_format, "depth_to_space")
    x = _rank4(x, "depth_to_space")
    if fmt == "channels_first":
        x = _np.moveaxis(x, 1, -1)
    n, h, w, c = x.shape
    if c % (b * b):
        raise ValueError(f"ops.depth_to_space: the channels of `x` ({c}) must be divisible by "
                         f"block_size**2 ({b * b}).")
    out = _np.reshape(x, (-1, h, w, b, b, c // (b * b)))
    out = _np.reshape(_np.transpose(out, (0, 1, 3, 2, 4, 5)), (-1, h * b, w * b, c // (b * b)))
    return _np.moveaxis(out, -1, 1) if fmt == "channels_first" else out


@keras_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """Moves ``block_size`` x ``block_size`` spatial blocks into channels (TF's order)."""
    b = _block(block_size, "space_to_depth")
    fmt = _fmt(data_format, "space_to_depth")
    x = _rank4(x, "space_to_depth")
    if fmt == "channels_first":
        x = _np.moveaxis(x, 1, -1)
    n, h, w, c = x.shape
    if h % b or w % b:
        raise ValueError(f"ops.space_to_depth: the height and width of `x` ({h}, {w}) must be "
                         f"divisible by block_size ({b}).")
    out = _np.reshape(x, (-1, h // b, b, w // b, b, c))
    out = _np.reshape(_np.transpose(out, (0, 1, 3, 2, 4, 5)), (-1, h // b, w // b, b * b * c))
    return _np.moveaxis(out, -1, 1) if fmt == "channels_first" else out


def _pair(value, name, op):
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) for v in value):
        return tuple(value)
    raise ValueError(f"ops.{op}: argument `{name}` must be an int or a pair of ints. "
                     f"Received: {name}={value!r}")


def _im2col_index(size, kernel, dilation, padding, stride, op):
    """Flat indices into the padded (H, W) plane: (kh * kw, L) window positions."""
    hp, wp = size[0] + 2 * padding[0], size[1] + 2 * padding[1]
    blocks = []
    for d in range(2):
        span = dilation[d] * (kernel[d] - 1) + 1
        count = ((size[d] + 2 * padding[d]) - span) // stride[d] + 1
        if count < 1:
            raise ValueError(f"ops.{op}: the kernel ({kernel}, dilation {dilation}) does not "
                             f"fit the padded input {(hp, wp)}.")
        blocks.append(count)
    a, b_, p, q = np.meshgrid(np.arange(kernel[0]), np.arange(kernel[1]),
                              np.arange(blocks[0]), np.arange(blocks[1]), indexing="ij")
    rows = a * dilation[0] + p * stride[0]
    cols = b_ * dilation[1] + q * stride[1]
    flat = rows * wp + cols
    return flat.reshape(kernel[0] * kernel[1], -1).astype("int32"), (hp, wp)


@keras_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding windows of ``x`` (N, C, H, W) as columns: (N, C * kh * kw, L), as PyTorch."""
    x = _rank4(x, "unfold")
    kernel = _pair(kernel_size, "kernel_size", "unfold")
    dilation, padding = _pair(dilation, "dilation", "unfold"), _pair(padding, "padding", "unfold")
    stride = _pair(stride, "stride", "unfold")
    n, c, h, w = x.shape
    index, (hp, wp) = _im2col_index((h, w), kernel, dilation, padding, stride, "unfold")
    x = _np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    flat = _np.reshape(x, (-1, c, hp * wp))
    cols = _np.take(flat, _np.array(index), 2)  # (N, C, k, L)
    return _np.reshape(cols, (-1, c * index.shape[0], index.shape[1]))


@keras_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of ``unfold``: columns (N, C * kh * kw, L) summed back into (N, C, H, W)."""
    x = _np.array(x) if not hasattr(x, "shape") else x
    if len(x.shape) != 3:
        raise ValueError(f"ops.fold: argument `x` must have rank 3 (N, C * kh * kw, L). "
                         f"Received: x.shape={tuple(x.shape)}")
    size = _pair(output_size, "output_size", "fold")
    kernel = _pair(kernel_size, "kernel_size", "fold")
    dilation, padding = _pair(dilation, "dilation", "fold"), _pair(padding, "padding", "fold")
    stride = _pair(stride, "stride", "fold")
    index, (hp, wp) = _im2col_index(size, kernel, dilation, padding, stride, "fold")
    k, length = index.shape
    if x.shape[1] % k or x.shape[2] != length:
        raise ValueError(f"ops.fold: `x` must have shape (N, C * {k}, {length}) for these "
                         f"sizes. Received: x.shape={tuple(x.shape)}")
    c = x.shape[1] // k
    cols = _np.reshape(x, (-1, c, k * length))
    summed = _nn.segment_sum(_np.moveaxis(cols, -1, 0), _np.array(index.reshape(-1)),
                             num_segments=hp * wp, sorted=False)  # (Hp * Wp, N, C)
    out = _np.reshape(_np.moveaxis(summed, 0, -1), (-1, c, hp, wp))
    return out[:, :, padding[0]:hp - padding[0], padding[1]:wp - padding[1]]


def _adaptive_windows(n_in: int, n_out: int):
    """PyTorch's windows: [floor(i n_in / n_out), ceil((i + 1) n_in / n_out))."""
    starts = [(i * n_in) // n_out for i in range(n_out)]
    ends = [-((-(i + 1) * n_in) // n_out) for i in range(n_out)]
    return starts, ends


def _adaptive(inputs, output_size, data_format, op, reduce_max):
    x = _np.array(inputs) if not hasattr(inputs, "shape") else inputs
    rank = len(x.shape)
    if rank not in (3, 4, 5):
        raise ValueError(f"ops.{op}: argument `inputs` must have rank 3, 4 or 5 (a batch with "
                         f"1-3 spatial axes and channels). Received: shape={tuple(x.shape)}")
    spatial = rank - 2
    sizes = (output_size,) * spatial if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != spatial or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"ops.{op}: argument `output_size` must be a positive int or "
                         f"{spatial} of them. Received: output_size={output_size!r}")
    fmt = _fmt(data_format, op)
    first = 2 if fmt == "channels_first" else 1
    if not _core.standardize_dtype(x.dtype).startswith(("float", "bfloat")):
        x = _np.multiply(x, 1.0)
    for d, out in enumerate(sizes):
        axis = first + d
        starts, ends = _adaptive_windows(x.shape[axis], out)
        if reduce_max:  # max is separable: reduce one spatial axis at a time
            width = max(e - s for s, e in zip(starts, ends))
            idx = np.array([[min(s + j, e - 1) for j in range(width)]
                            for s, e in zip(starts, ends)], "int32")
            x = _np.max(_np.take(x, _np.array(idx), axis), axis + 1)
        else:  # so is the mean: a (n_in, n_out) averaging matrix per axis
            weights = np.zeros((x.shape[axis], out), "float32")
            for i, (s, e) in enumerate(zip(starts, ends)):
                weights[s:e, i] = 1.0 / (e - s)
            moved = _np.moveaxis(x, axis, -1)
            x = _np.moveaxis(_np.matmul(moved, _core.cast(_np.array(weights), x.dtype)), -1, axis)
    return x


@keras_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed ``output_size`` (PyTorch's window boundaries)."""
    return _adaptive(inputs, output_size, data_format, "adaptive_average_pool", False)


@keras_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed ``output_size`` (PyTorch's window boundaries)."""
    return _adaptive(inputs, output_size, data_format, "adaptive_max_pool", True)


__all__ = ["depth_to_space", "space_to_depth", "unfold", "fold", "adaptive_average_pool",
           "adaptive_max_pool"]
