"""Resampling at arbitrary coordinates: map_coordinates, affine and perspective transforms.

One engine (``interpolate``) serves all three: each output value gathers its 1 (nearest) or
2**ndim (linear) neighbours from the flattened input, with out-of-range indices mapped by the
fill mode, as ``scipy.ndimage`` does for orders 0 and 1 ("reflect" is its half-sample
symmetric mode, "mirror" the whole-sample one, "wrap" periodic).
"""
from __future__ import annotations

import itertools

from keraslite.backends import core as _core
from keraslite.backends import linalg as _la
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import fused_op
from keraslite.ops.image._format import data_format as _fmt, float_images, to_batch_last

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_ORDERS = {"nearest": 0, "bilinear": 1}


def _remap(idx, n: int, mode: str):
    """Integer indices mapped into ``[0, n)`` by the fill mode, and where they were valid."""
    if mode == "constant":
        valid = _np.logical_and(_np.greater_equal(idx, 0), _np.less(idx, n))
        return _np.clip(idx, 0, n - 1), valid
    if mode == "nearest":
        return _np.clip(idx, 0, n - 1), None
    if mode == "wrap":
        return _np.mod(idx, n), None
    if mode == "mirror":
        if n == 1:
            return _np.zeros_like(idx), None
        period = 2 * (n - 1)
        i = _np.mod(idx, period)
        return _np.where(_np.greater_equal(i, n), _np.subtract(period, i), i), None
    period = 2 * n  # reflect
    i = _np.mod(idx, period)
    return _np.where(_np.greater_equal(i, n), _np.subtract(period - 1, i), i), None


def interpolate(source, sizes, coords, order: int, fill_mode: str, fill_value, exact=()):
    """Values of ``source`` (shape ``(prod(sizes), C)``, row-major) at ``coords`` (one array
    per axis of ``sizes``; axes in ``exact`` hold int32 indices); shape ``coords[0].shape + (C,)``.
    """
    per_axis = []
    for d, c in enumerate(coords):
        if d in exact:
            per_axis.append([(c, None)])
        elif order == 0:
            per_axis.append([(_core.cast(_np.round(c), "int32"), None)])
        else:
            low = _np.floor(c)
            frac = _np.subtract(c, low)
            low = _core.cast(low, "int32")
            per_axis.append([(low, _np.subtract(1.0, frac)), (_np.add(low, 1), frac)])
    total = None
    for corner in itertools.product(*per_axis):
        flat, weight, valid = None, None, None
        for d, (idx, w) in enumerate(corner):
            idx, ok = _remap(idx, sizes[d], fill_mode if d not in exact else "nearest")
            flat = idx if flat is None else _np.add(_np.multiply(flat, sizes[d]), idx)
            weight = w if weight is None else (weight if w is None else _np.multiply(weight, w))
            valid = ok if valid is None else (valid if ok is None else _np.logical_and(valid, ok))
        values = _np.take(source, flat, 0)
        if valid is not None:
            fill = _core.cast(_np.array(fill_value), _core.standardize_dtype(values.dtype))
            values = _np.where(_np.expand_dims(valid, -1), values, fill)
        if weight is not None:
            values = _np.multiply(values, _np.expand_dims(_core.cast(weight, values.dtype), -1))
        total = values if total is None else _np.add(total, values)
    return total


def _check_mode(fill_mode, op):
    if fill_mode not in FILL_MODES:
        raise ValueError(f"ops.image.{op}: argument `fill_mode` must be one of {FILL_MODES}. "
                         f"Received: fill_mode={fill_mode!r}")


@fused_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """``inputs`` (any rank) sampled at ``coordinates`` (shape ``(inputs.ndim, ...)``) with
    nearest (``order=0``) or linear (``order=1``) interpolation."""
    if order not in (0, 1):
        raise ValueError("ops.image.map_coordinates: argument `order` must be 0 or 1. "
                         f"Received: order={order!r}")
    _check_mode(fill_mode, "map_coordinates")
    inputs = float_images(_np.array(inputs) if not hasattr(inputs, "shape") else inputs)
    sizes = tuple(inputs.shape)
    if len(coordinates) != len(sizes) or any(s is None for s in sizes):
        raise ValueError(f"ops.image.map_coordinates: argument `coordinates` must hold one "
                         f"coordinate array per axis of `inputs` ({len(sizes)}, known sizes). "
                         f"Received: {len(coordinates)} arrays for inputs.shape={sizes}")
    coords = [_core.cast(_np.array(c) if not hasattr(c, "shape") else c, inputs.dtype)
              for c in coordinates]
    source = _np.reshape(inputs, (-1, 1))
    return interpolate(source, sizes, coords, order, fill_mode, fill_value)[..., 0]


def _sample_images(x, rows, cols, interpolation, fill_mode, fill_value):
    """Channels-last batch ``x`` sampled at float ``rows``/``cols`` of shape (B, H', W')."""
    batch, height, width, channels = x.shape
    b = _np.broadcast_to(_np.reshape(_np.arange(batch, dtype="int32"), (batch, 1, 1)),
                         tuple(rows.shape))
    source = _np.reshape(x, (-1, channels))
    return interpolate(source, (batch, height, width), [b, rows, cols],
                       _ORDERS[interpolation], fill_mode, fill_value, exact=(0,))


def _projective_coords(transform, batch, height, width):
    """Input (rows, cols) of every output pixel under 8-coefficient projective transforms."""
    t = _np.reshape(transform, (-1, 8))
    if t.shape[0] == 1 and batch != 1:
        t = _np.broadcast_to(t, (batch, 8))
    dtype = _core.standardize_dtype(t.dtype)
    ys = _np.broadcast_to(_np.reshape(_np.arange(height, dtype=dtype), (1, height, 1)),
                          (1, height, width))
    xs = _np.broadcast_to(_np.reshape(_np.arange(width, dtype=dtype), (1, 1, width)),
                          (1, height, width))

    def c(i):
        return _np.reshape(t[:, i], (-1, 1, 1))

    k = _np.add(_np.add(_np.multiply(c(6), xs), _np.multiply(c(7), ys)), 1.0)
    in_x = _np.divide(_np.add(_np.add(_np.multiply(c(0), xs), _np.multiply(c(1), ys)), c(2)), k)
    in_y = _np.divide(_np.add(_np.add(_np.multiply(c(3), xs), _np.multiply(c(4), ys)), c(5)), k)
    return in_y, in_x


def _check_interpolation(interpolation, op):
    if interpolation not in _ORDERS:
        raise ValueError(f"ops.image.{op}: argument `interpolation` must be one of "
                         f"{tuple(_ORDERS)}. Received: interpolation={interpolation!r}")


@fused_op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Images warped by projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one, or one
    per image), each mapping an output pixel (x, y) to the input point
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``."""
    _check_interpolation(interpolation, "affine_transform")
    _check_mode(fill_mode, "affine_transform")
    x, restore = to_batch_last(images, _fmt(data_format, "affine_transform"), "affine_transform")
    x = float_images(x)
    transform = _core.cast(_np.array(transform) if not hasattr(transform, "shape") else transform,
                           x.dtype)
    if len(transform.shape) not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError("ops.image.affine_transform: argument `transform` must have shape (8,) "
                         f"or (batch, 8). Received: transform.shape={tuple(transform.shape)}")
    rows, cols = _projective_coords(transform, x.shape[0], x.shape[1], x.shape[2])
    return restore(_sample_images(x, rows, cols, interpolation, fill_mode, fill_value))


def _homography(start, end):
    """Coefficients mapping each ``end`` point to its ``start`` point (4 pairs, batched)."""
    ex, ey = end[..., 0], end[..., 1]
    sx, sy = start[..., 0], start[..., 1]
    zero, one = _np.zeros_like(ex), _np.ones_like(ex)
    rows_u = _np.stack([ex, ey, one, zero, zero, zero, -ex * sx, -ey * sx], -1)
    rows_v = _np.stack([zero, zero, zero, ex, ey, one, -ex * sy, -ey * sy], -1)
    a = _np.concatenate([rows_u, rows_v], -2)  # (B, 8, 8)
    b = _np.concatenate([sx, sy], -1)
    return _la.solve(a, b)


@fused_op
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Images warped so that the four ``start_points`` (x, y) land on ``end_points``."""
    _check_interpolation(interpolation, "perspective_transform")
    x, restore = to_batch_last(images, _fmt(data_format, "perspective_transform"),
                               "perspective_transform")
    x = float_images(x)
    points = []
    for name, p in (("start_points", start_points), ("end_points", end_points)):
        p = _core.cast(_np.array(p) if not hasattr(p, "shape") else p, x.dtype)
        if tuple(p.shape[-2:]) != (4, 2) or len(p.shape) not in (2, 3):
            raise ValueError(f"ops.image.perspective_transform: argument `{name}` must have "
                             f"shape (4, 2) or (batch, 4, 2). Received: {tuple(p.shape)}")
        points.append(_np.reshape(p, (-1, 4, 2)))
    transform = _homography(*points)
    rows, cols = _projective_coords(transform, x.shape[0], x.shape[1], x.shape[2])
    return restore(_sample_images(x, rows, cols, interpolation, "constant", fill_value))


__all__ = ["affine_transform", "map_coordinates", "perspective_transform"]
