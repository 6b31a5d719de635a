"""Equalization: histogram equalization of each channel of each image.

Not random: like Keras it equalizes whenever the call is not ``training=False``. Unlike Keras
3.15, which pools one histogram per channel over the whole batch, each image gets its own
histogram, so an image's result does not depend on the other images of its batch (for a
single image both agree).
"""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing.augmentation_color import (
    _ColorLayer, _value_range, rescale_range,
)


def equalize(images, bins: int):
    """Equalizes (B, H, W, C) ``images`` in the 0-255 scale, per image and channel."""
    index = ops.cast(ops.clip(ops.multiply(images, (bins - 1) / 255.0), 0, bins - 1), "int32")
    # Counting by comparison with every bin keeps the shapes static, so it traces on every
    # backend; under a compiler the comparison and the sum fuse into one reduction.
    hits = ops.equal(ops.expand_dims(index, -1), ops.arange(bins, dtype="int32"))
    hist = ops.sum(ops.cast(hits, "int32"), axis=(1, 2))  # (B, C, bins)
    cdf = ops.cumsum(hist, axis=-1)
    total = cdf[..., -1:]
    # The cdf value of the first non-empty bin (the smallest positive one).
    cdf_min = ops.min(ops.where(ops.greater(cdf, 0), cdf, total), axis=-1, keepdims=True)
    denominator = ops.subtract(total, cdf_min)
    denominator = ops.where(ops.equal(denominator, 0), ops.ones_like(denominator), denominator)
    lut = ops.divide(ops.cast(ops.multiply(ops.subtract(cdf, cdf_min), 255), "float32"),
                     ops.cast(denominator, "float32"))
    lut = ops.clip(ops.round(lut), 0.0, 255.0)  # (B, C, bins)
    batch, height, width, channels = ops.shape(images)[0], *images.shape[1:]
    flat = ops.reshape(ops.transpose(index, (0, 3, 1, 2)), (batch, channels, height * width))
    out = ops.take_along_axis(lut, flat, axis=-1)
    out = ops.transpose(ops.reshape(out, (batch, channels, height, width)), (0, 2, 3, 1))
    # A channel holding a single level has nothing to spread: it stays as it is.
    flat_channel = ops.less_equal(ops.sum(ops.cast(ops.greater(hist, 0), "int32"), -1), 1)
    return ops.where(ops.reshape(flat_channel, (-1, 1, 1, channels)), images,
                     ops.cast(out, images.dtype))


class Equalization(_ColorLayer):
    """Spreads each channel's intensities so that their histogram becomes roughly flat.

    Args:
        value_range: the range the input pixels live in (``(0, 255)`` by default); the
            output lives in the same range.
        bins: number of histogram bins (256 suits 8-bit images).

    Example::

        equalize = keraslite.layers.Equalization(value_range=(0, 1))
        flat = equalize(images)
    """

    def __init__(self, value_range=(0, 255), bins: int = 256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = _value_range("Equalization", value_range)
        if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 2:
            raise arg_utils.invalid("Equalization", "bins", "an int >= 2", bins)
        self.bins = int(bins)

    def transform(self, images, transformation=None):
        x = rescale_range(images, self.value_range, (0.0, 255.0))
        return rescale_range(equalize(x, self.bins), (0.0, 255.0), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        return {**config, "bins": self.bins, "value_range": list(self.value_range)}
