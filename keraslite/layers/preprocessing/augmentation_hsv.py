"""Augmentations in HSV space: RandomHue and RandomSaturation, with private RGB <-> HSV
conversions written with ``keraslite.ops`` (hue, saturation in [0, 1]; value as given)."""
from __future__ import annotations

from typing import Optional

from keraslite import config, ops
from keraslite.layers.preprocessing.augmentation_color import (
    _ColorLayer, _factor, _value_range, rescale_range,
)


def rgb_to_hsv(images):
    """(..., 3) RGB -> (..., 3) HSV; hue is 0 for grey pixels, saturation 0 for black ones."""
    r, g, b = images[..., 0], images[..., 1], images[..., 2]
    value = ops.maximum(ops.maximum(r, g), b)
    spread = ops.subtract(value, ops.minimum(ops.minimum(r, g), b))
    saturation = ops.where(ops.greater(value, 0.0),
                           ops.divide(spread, ops.where(ops.greater(value, 0.0), value, 1.0)),
                           ops.zeros_like(value))
    scale = ops.divide(1.0, ops.multiply(6.0, ops.where(ops.greater(spread, 0.0), spread, 1.0)))
    # The sector follows the largest channel; red wins ties, then green.
    hue = ops.where(ops.equal(value, g),
                    ops.add(ops.multiply(scale, ops.subtract(b, r)), 2.0 / 6.0),
                    ops.add(ops.multiply(scale, ops.subtract(r, g)), 4.0 / 6.0))
    hue = ops.where(ops.equal(value, r), ops.multiply(scale, ops.subtract(g, b)), hue)
    hue = ops.where(ops.greater(spread, 0.0), hue, ops.zeros_like(hue))
    hue = ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)
    return ops.stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images):
    """(..., 3) HSV -> (..., 3) RGB (hue taken modulo 1)."""
    h, s, v = images[..., 0], images[..., 1], images[..., 2]
    sector = ops.multiply(ops.mod(h, 1.0), 6.0)
    # Each channel's share of the colour as a piecewise-linear function of the hue sector.
    red = ops.clip(ops.subtract(ops.abs(ops.subtract(sector, 3.0)), 1.0), 0.0, 1.0)
    green = ops.clip(ops.subtract(2.0, ops.abs(ops.subtract(sector, 2.0))), 0.0, 1.0)
    blue = ops.clip(ops.subtract(2.0, ops.abs(ops.subtract(sector, 4.0))), 0.0, 1.0)
    grey = ops.subtract(1.0, s)
    return ops.stack([ops.multiply(v, ops.add(grey, ops.multiply(s, c)))
                      for c in (red, green, blue)], axis=-1)


def _check_rgb(layer, images):
    if images.shape[-1] != 3:
        raise ValueError(f"Layer '{layer.name}' expects RGB images (3 channels). "
                         f"Received: shape={tuple(images.shape)}")


class RandomHue(_ColorLayer):
    """Rotates the hue of each image by a random amount: ``factor`` (in [0, 1]) of half a
    turn, in a random direction.

    Example::

        aug = RandomHue(0.2, seed=0)
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomHue", factor, (0.0, 1.0))
        self.value_range = _value_range("RandomHue", value_range)

    def random_transformation(self, batch):
        direction = ops.where(ops.greater(self._uniform(batch, 0.0, 1.0), 0.5), -1.0, 1.0)
        amount = self._uniform(batch, self.factor[0], self.factor[1])
        return {"factor": ops.multiply(ops.multiply(direction, amount), 0.5)}

    def transform(self, images, transformation):
        _check_rgb(self, images)
        x = rescale_range(images, self.value_range, (0.0, 1.0))
        hsv = rgb_to_hsv(x)
        shift = ops.reshape(ops.cast(transformation["factor"], x.dtype), (-1, 1, 1))
        hue = ops.add(hsv[..., 0], shift)
        hue = ops.where(ops.greater(hue, 1.0), ops.subtract(hue, 1.0), hue)
        hue = ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)
        rgb = ops.clip(hsv_to_rgb(ops.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1)), 0.0, 1.0)
        return rescale_range(rgb, (0.0, 1.0), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomSaturation(_ColorLayer):
    """Scales the saturation of each image by ``f / (1 - f)``, ``f`` drawn from ``factor``
    (in [0, 1]): 0.5 keeps it, 0 gives grey, values near 1 saturate fully. As in Keras the
    scaled saturation is clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomSaturation", factor, (0.0, 1.0))
        self.value_range = _value_range("RandomSaturation", value_range)

    def random_transformation(self, batch):
        f = self._uniform(batch, self.factor[0], self.factor[1])
        return {"factor": ops.divide(f, ops.add(ops.subtract(1.0, f), config.epsilon()))}

    def transform(self, images, transformation):
        _check_rgb(self, images)
        hsv = rgb_to_hsv(images)
        scale = ops.reshape(ops.cast(transformation["factor"], images.dtype), (-1, 1, 1))
        saturation = ops.clip(ops.multiply(hsv[..., 1], scale), self.value_range[0],
                              self.value_range[1])
        return hsv_to_rgb(ops.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1))

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}
