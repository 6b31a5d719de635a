"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): histogram equalization computed per
tile of the image, with each histogram's peaks clipped, blended between neighbouring tiles.

Not random, and as in Keras it applies in every call, ``training=False`` included.
"""
from __future__ import annotations

import numbers

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing.augmentation_color import (
    _ColorLayer, _value_range, rescale_range,
)

_LEVELS = 256


def _symmetric(size: int, padded: int) -> np.ndarray:
    """Indices of ``padded`` rows of ``size`` extended by mirroring (edge repeated)."""
    i = np.arange(padded) % (2 * size)
    return np.where(i >= size, 2 * size - 1 - i, i).astype("int32")


def _blend_axis(length: int, tile: int, grid: int):
    """Per pixel: the two neighbouring tiles whose centres surround it, and the weight of the
    second. Outside the outermost centres both neighbours are the edge tile."""
    position = (np.arange(length, dtype="float64") - tile / 2.0) / tile  # in tile units
    low = np.floor(position)
    weight = (position - low).astype("float32")
    first = np.clip(low, 0, grid - 1).astype("int32")
    second = np.clip(low + 1, 0, grid - 1).astype("int32")
    return first, second, weight


def clahe(images, clip_limit: float, grid: tuple):
    """(B, H, W, C) images in the 0-255 scale, equalized tile by tile."""
    batch = ops.shape(images)[0]
    height, width, channels = (int(d) for d in images.shape[1:])
    gh, gw = grid
    th, tw = -(-height // gh), -(-width // gw)
    hp, wp = th * gh, tw * gw
    # Pad to whole tiles by mirroring; the indices are fixed, so this is a static gather.
    padded = ops.take(ops.take(images, _symmetric(height, hp), axis=1), _symmetric(width, wp),
                      axis=2)
    levels = ops.cast(ops.clip(padded, 0, _LEVELS - 1), "int32")
    tiles = ops.reshape(levels, (batch, gh, th, gw, tw, channels))
    hits = ops.equal(ops.expand_dims(tiles, -1), ops.arange(_LEVELS, dtype="int32"))
    hist = ops.sum(ops.cast(hits, "float32"), axis=(2, 4))  # (B, gh, gw, C, levels)
    if clip_limit > 0:
        limit = clip_limit * th * tw / _LEVELS
        clipped = ops.minimum(hist, limit)
        # What the clip removed is spread evenly over all levels, keeping the tile's total.
        excess = ops.sum(ops.subtract(hist, clipped), axis=-1, keepdims=True)
        hist = ops.add(clipped, ops.divide(excess, float(_LEVELS)))
    cdf = ops.cumsum(hist, axis=-1)
    cdf_min = cdf[..., :1]
    denominator = ops.subtract(float(th * tw), cdf_min)
    denominator = ops.where(ops.equal(denominator, 0.0), ops.ones_like(denominator), denominator)
    lut = ops.clip(ops.divide(ops.multiply(ops.subtract(cdf, cdf_min), 255.0), denominator),
                   0.0, 255.0)
    lut = ops.reshape(lut, (batch, gh * gw * channels * _LEVELS))

    ry0, ry1, wy = _blend_axis(hp, th, gh)
    rx0, rx1, wx = _blend_axis(wp, tw, gw)
    chan = np.arange(channels, dtype="int32").reshape(1, 1, -1)

    def read(ty, tx):
        # Flat index of (tile row, tile column, channel, level) for every pixel.
        tile = (ty.reshape(-1, 1, 1) * gw + tx.reshape(1, -1, 1)) * channels + chan
        index = ops.add(ops.convert_to_tensor(tile * _LEVELS), levels)
        flat = ops.reshape(index, (batch, hp * wp * channels))
        return ops.reshape(ops.take_along_axis(lut, flat, axis=1),
                           (batch, hp, wp, channels))

    wy_t = ops.convert_to_tensor(wy.reshape(1, -1, 1, 1))
    wx_t = ops.convert_to_tensor(wx.reshape(1, 1, -1, 1))
    top = ops.add(ops.multiply(read(ry0, rx0), 1.0 - wx_t), ops.multiply(read(ry0, rx1), wx_t))
    bottom = ops.add(ops.multiply(read(ry1, rx0), 1.0 - wx_t),
                     ops.multiply(read(ry1, rx1), wx_t))
    out = ops.add(ops.multiply(top, 1.0 - wy_t), ops.multiply(bottom, wy_t))
    return out[:, :height, :width, :]


class ContrastLimitedAdaptiveHistogramEqualization(_ColorLayer):
    """Equalizes each ``tile_grid_size`` tile of each channel with its own histogram, whose
    counts are clipped at ``clip_limit`` times the mean count (0 turns clipping off), and
    interpolates bilinearly between the mappings of the neighbouring tiles.

    Example::

        clahe = keraslite.layers.ContrastLimitedAdaptiveHistogramEqualization(
            value_range=(0, 1), clip_limit=2.0, tile_grid_size=(4, 4))
    """

    def __init__(self, value_range=(0, 255), clip_limit: float = 4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        cls = "ContrastLimitedAdaptiveHistogramEqualization"
        self.value_range = _value_range(cls, value_range)
        if isinstance(clip_limit, bool) or not isinstance(clip_limit, numbers.Real) or \
                clip_limit < 0:
            raise arg_utils.invalid(cls, "clip_limit", "a number >= 0", clip_limit)
        self.clip_limit = float(clip_limit)
        try:
            grid = tuple(int(v) for v in tile_grid_size)
        except (TypeError, ValueError):
            grid = ()
        if len(grid) != 2 or min(grid) < 1 or any(isinstance(v, bool) for v in tile_grid_size):
            raise arg_utils.invalid(cls, "tile_grid_size", "a pair of ints >= 1",
                                    tile_grid_size)
        self.tile_grid_size = grid

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)  # not random: it always applies

    def transform(self, images, transformation=None):
        x = rescale_range(images, self.value_range, (0.0, 255.0))
        out = clahe(x, self.clip_limit, self.tile_grid_size)
        return ops.cast(rescale_range(out, (0.0, 255.0), self.value_range), images.dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        return {**config, "value_range": list(self.value_range), "clip_limit": self.clip_limit,
                "tile_grid_size": list(self.tile_grid_size)}
