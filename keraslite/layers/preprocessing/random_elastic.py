"""RandomElasticTransform (Simard et al., 2003): each image is resampled along a random,
smooth displacement field."""
from __future__ import annotations

from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing import image_ops
from keraslite.layers.preprocessing.augmentation_color import _ColorLayer, _factor, _value_range
from keraslite.layers.preprocessing.augmentation_filters import _depthwise, _gaussian_1d

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fold(index, size: int, fill_mode: str):
    """Integer indices folded into [0, size) as the fill mode says."""
    if fill_mode == "mirror":  # (d c b | a b c d | c b a): the edge pixel is not repeated
        if size == 1:
            return ops.zeros_like(index)
        period = 2 * (size - 1)
        index = ops.mod(index, period)
        return ops.where(index >= size, period - index, index)
    return image_ops._map_index(index, size, fill_mode)


def sample(images, rows, cols, interpolation="bilinear", fill_mode="reflect", fill_value=0.0):
    """(B, H, W, C) ``images`` read at float ``rows``/``cols`` of shape (B, H, W)."""
    batch = ops.shape(images)[0]
    height, width, channels = (int(d) for d in images.shape[1:])
    flat = ops.reshape(images, (batch, height * width, channels))
    rows = ops.reshape(rows, (batch, height * width))
    cols = ops.reshape(cols, (batch, height * width))

    def gather(iy, ix):
        index = _fold(iy, height, fill_mode) * width + _fold(ix, width, fill_mode)
        index = ops.broadcast_to(ops.expand_dims(index, -1), ops.shape(flat))
        values = ops.take_along_axis(flat, index, axis=1)
        if fill_mode == "constant":
            inside = ops.logical_and(ops.logical_and(iy >= 0, iy < height),
                                     ops.logical_and(ix >= 0, ix < width))
            values = ops.where(ops.expand_dims(inside, -1), values,
                               ops.cast(ops.full_like(values, fill_value), values.dtype))
        return values

    if interpolation == "nearest":
        out = gather(ops.cast(ops.round(rows), "int32"), ops.cast(ops.round(cols), "int32"))
    else:
        y0f, x0f = ops.floor(rows), ops.floor(cols)
        wy = ops.expand_dims(ops.cast(rows - y0f, images.dtype), -1)
        wx = ops.expand_dims(ops.cast(cols - x0f, images.dtype), -1)
        y0, x0 = ops.cast(y0f, "int32"), ops.cast(x0f, "int32")
        top = gather(y0, x0) * (1 - wx) + gather(y0, x0 + 1) * wx
        bottom = gather(y0 + 1, x0) * (1 - wx) + gather(y0 + 1, x0 + 1) * wx
        out = top * (1 - wy) + bottom * wy
    return ops.reshape(out, (batch, height, width, channels))


class RandomElasticTransform(_ColorLayer):
    """Warps each image, with probability drawn per image from ``factor``, along a random
    smooth displacement field: Gaussian noise blurred by a Gaussian of standard deviation
    ``sigma = 0.05 * s * min(height, width)`` and scaled by ``alpha = 0.1 * s *
    max(height, width)``, ``s`` drawn once per batch from ``scale`` (within [0, 1]). The
    result is clipped to ``value_range``.

    Example::

        aug = keraslite.layers.RandomElasticTransform(factor=1.0, scale=0.5, seed=0)
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed: Optional[int] = None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        cls = "RandomElasticTransform"
        self.factor = _factor(cls, factor, (0.0, 1.0))
        self.scale = _factor(cls, scale, (0.0, 1.0), "scale")
        if interpolation not in ("bilinear", "nearest"):
            raise arg_utils.invalid(cls, "interpolation", "'bilinear' or 'nearest'",
                                    interpolation)
        if fill_mode not in FILL_MODES:
            raise arg_utils.invalid(cls, "fill_mode", " or ".join(map(repr, FILL_MODES)),
                                    fill_mode)
        self.interpolation, self.fill_mode = interpolation, fill_mode
        self.fill_value = float(fill_value)
        self.value_range = _value_range(cls, value_range)

    def augment(self, x):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return x  # nothing can move: skip the draws, as Keras does
        batch, height, width = ops.shape(x)[0], int(x.shape[1]), int(x.shape[2])
        return self.transform(x, self.random_transformation(batch, height, width))

    def random_transformation(self, batch, height, width):
        probability = self._uniform(batch, self.factor[0], self.factor[1])
        apply = ops.less(self._uniform(batch, 0.0, 1.0), probability)
        s = kl_random.uniform((), self.scale[0], self.scale[1], seed=self.seed_generator)
        alpha = ops.multiply(s, 0.1 * max(height, width))
        sigma = ops.maximum(ops.multiply(s, 0.05 * min(height, width)), 1e-3)
        # The window is sized for the largest sigma the scale allows (static shapes); a
        # smaller sigma just leaves near-zero weights at its ends.
        size = int(6 * 0.05 * min(height, width) * self.scale[1]) | 1
        gauss = _gaussian_1d(size, sigma)
        kernel = ops.multiply(ops.expand_dims(gauss, 1), ops.expand_dims(gauss, 0))
        noise = ops.multiply(kl_random.normal((batch, height, width, 2),
                                              seed=self.seed_generator), sigma)
        field = ops.multiply(_depthwise(noise, kernel), alpha)
        return {"apply_transform": apply, "field": field}

    def transform(self, images, transformation):
        """Moves each output pixel's read position by ``field`` (B, H, W, 2) = (dy, dx)."""
        height, width = int(images.shape[1]), int(images.shape[2])
        field = ops.cast(transformation["field"], "float32")
        rows = ops.add(ops.reshape(ops.arange(height, dtype="float32"), (1, -1, 1)),
                       field[..., 0])
        cols = ops.add(ops.reshape(ops.arange(width, dtype="float32"), (1, 1, -1)),
                       field[..., 1])
        warped = sample(images, rows, cols, self.interpolation, self.fill_mode,
                        self.fill_value)
        apply = ops.reshape(transformation["apply_transform"], (-1, 1, 1, 1))
        out = ops.where(apply, warped, images)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor), "scale": list(self.scale),
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": list(self.value_range)}
