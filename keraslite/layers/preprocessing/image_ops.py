"""Image helpers for the preprocessing layers: resizing and affine warping built from ops.

Images are handled channels-last, ``(batch, height, width, channels)``; layers transpose
channels-first inputs before and after. Sampling gathers from the flattened image with
``take_along_axis`` so everything traces inside compiled steps.
"""
from __future__ import annotations

import numpy as np

from keraslite import ops

FILL_MODES = ("constant", "reflect", "wrap", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")


def to_channels_last(images, data_format):
    return ops.transpose(images, (0, 2, 3, 1)) if data_format == "channels_first" else images


def from_channels_last(images, data_format):
    return ops.transpose(images, (0, 3, 1, 2)) if data_format == "channels_first" else images


def with_batch(images):
    """Adds a batch axis to a single image; returns (batched images, whether one was added)."""
    if len(images.shape) == 3:
        return ops.expand_dims(images, 0), True
    if len(images.shape) != 4:
        raise ValueError(
            f"Expected images of rank 3 (one image) or 4 (a batch). "
            f"Received: shape={tuple(images.shape)}")
    return images, False


def _source_coords(out_size, in_size):
    """Half-pixel-centre source coordinates of each output position (float32 NumPy)."""
    scale = in_size / out_size
    return (np.arange(out_size, dtype="float64") + 0.5) * scale - 0.5


def resize(images, height, width, interpolation="bilinear"):
    """Resizes (batch, h, w, c) images to (batch, height, width, c) with half-pixel centres."""
    in_h, in_w = int(images.shape[1]), int(images.shape[2])
    if interpolation == "nearest":
        rows = np.minimum(np.floor((np.arange(height) + 0.5) * in_h / height), in_h - 1)
        cols = np.minimum(np.floor((np.arange(width) + 0.5) * in_w / width), in_w - 1)
        out = ops.take(images, rows.astype("int32"), axis=1)
        return ops.take(out, cols.astype("int32"), axis=2)
    dtype = images.dtype

    def axis_weights(out_size, in_size):
        src = np.clip(_source_coords(out_size, in_size), 0, in_size - 1)
        lo = np.floor(src).astype("int32")
        hi = np.minimum(lo + 1, in_size - 1)
        frac = (src - lo).astype("float32")
        # Dense (out, in) interpolation matrix: resizing becomes two small matmuls.
        matrix = np.zeros((out_size, in_size), "float32")
        matrix[np.arange(out_size), lo] += 1.0 - frac
        matrix[np.arange(out_size), hi] += frac
        return matrix

    mh = ops.cast(axis_weights(height, in_h), dtype)
    mw = ops.cast(axis_weights(width, in_w), dtype)
    out = ops.einsum("oh,bhwc->bowc", mh, images)
    return ops.einsum("pw,bowc->bopc", mw, out)


def center_crop_box(in_h, in_w, height, width):
    """(top, left, crop height, crop width) of the largest centred window of the target ratio."""
    crop_h = max(min(in_h, int(float(in_w * height) / width)), 1)
    crop_w = max(min(in_w, int(float(in_h * width) / height)), 1)
    top = int(float(in_h - crop_h) / 2)
    left = int(float(in_w - crop_w) / 2)
    return top, left, crop_h, crop_w


def pad_box(in_h, in_w, height, width):
    """(top, left) margins centring the image in the smallest window of the target aspect
    ratio that contains it."""
    pad_h = max(in_h, int(float(in_w * height) / width))
    pad_w = max(in_w, int(float(in_h * width) / height))
    return int(float(pad_h - in_h) / 2), int(float(pad_w - in_w) / 2)


def _map_index(idx, size, fill_mode):
    """Integer indices folded into [0, size) according to the fill mode."""
    if fill_mode == "nearest" or fill_mode == "constant":
        return ops.clip(idx, 0, size - 1)
    if fill_mode == "wrap":
        return ops.mod(idx, size)
    # reflect: (d c b a | a b c d | d c b a), period 2 * size.
    idx = ops.mod(idx, 2 * size)
    return ops.where(idx >= size, 2 * size - 1 - idx, idx)


def affine_transform(images, transforms, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Warps (batch, h, w, c) images by per-image projective transforms.

    ``transforms`` has shape (batch, 8): ``[a0, a1, a2, b0, b1, b2, c0, c1]`` maps an output
    pixel (x, y) to the input point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with
    ``k = c0 x + c1 y + 1``.
    """
    shape = ops.shape(images)
    batch = shape[0]
    h, w, c = int(images.shape[1]), int(images.shape[2]), int(images.shape[3])
    dtype = images.dtype
    ys, xs = np.meshgrid(np.arange(h, dtype="float32"), np.arange(w, dtype="float32"),
                         indexing="ij")
    xs = ops.convert_to_tensor(xs.reshape(1, -1))
    ys = ops.convert_to_tensor(ys.reshape(1, -1))
    t = ops.cast(transforms, "float32")
    a0, a1, a2, b0, b1, b2, c0, c1 = [t[:, i:i + 1] for i in range(8)]
    k = c0 * xs + c1 * ys + 1.0
    src_x = (a0 * xs + a1 * ys + a2) / k
    src_y = (b0 * xs + b1 * ys + b2) / k  # (batch, h*w)
    flat = ops.reshape(images, (batch, h * w, c))

    def gather(iy, ix):
        inside = ops.logical_and(ops.logical_and(iy >= 0, iy < h),
                                 ops.logical_and(ix >= 0, ix < w))
        iy_m = _map_index(iy, h, fill_mode)
        ix_m = _map_index(ix, w, fill_mode)
        index = ops.expand_dims(iy_m * w + ix_m, -1)
        index = ops.broadcast_to(index, ops.shape(flat))
        values = ops.take_along_axis(flat, index, axis=1)
        if fill_mode == "constant":
            values = ops.where(ops.expand_dims(inside, -1), values,
                               ops.cast(ops.full_like(values, fill_value), dtype))
        return values

    if interpolation == "nearest":
        # Round half to even, as scipy-style map_coordinates does.
        iy = ops.cast(ops.round(src_y), "int32")
        ix = ops.cast(ops.round(src_x), "int32")
        out = gather(iy, ix)
    else:
        y0f = ops.floor(src_y)
        x0f = ops.floor(src_x)
        wy = ops.expand_dims(ops.cast(src_y - y0f, dtype), -1)
        wx = ops.expand_dims(ops.cast(src_x - x0f, dtype), -1)
        y0 = ops.cast(y0f, "int32")
        x0 = ops.cast(x0f, "int32")
        top = gather(y0, x0) * (1 - wx) + gather(y0, x0 + 1) * wx
        bottom = gather(y0 + 1, x0) * (1 - wx) + gather(y0 + 1, x0 + 1) * wx
        out = top * (1 - wy) + bottom * wy
    return ops.reshape(out, (batch, h, w, c))
