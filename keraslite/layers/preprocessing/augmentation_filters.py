"""Augmentations that filter neighbourhoods of pixels: RandomSharpness and RandomGaussianBlur.

Both are depthwise convolutions with "same" (zero) padding, written with ``keraslite.ops``;
as in ``augmentation_color``, ``random_transformation`` draws and ``transform`` applies.
"""
from __future__ import annotations

import numbers
from typing import Optional

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing.augmentation_color import _ColorLayer, _factor, _value_range


def _depthwise(images, kernel_2d):
    """Each channel of (B, H, W, C) ``images`` convolved with the (kh, kw) ``kernel_2d``."""
    channels = images.shape[-1]
    kernel = ops.tile(ops.reshape(kernel_2d, tuple(kernel_2d.shape) + (1, 1)),
                      (1, 1, channels, 1))
    return ops.depthwise_conv(images, ops.cast(kernel, images.dtype), 1, "same",
                              "channels_last")


class RandomSharpness(_ColorLayer):
    """Blends each image with a smoothed copy: ``x + (1 - 2 f) (smooth(x) - x)`` with ``f``
    drawn per image from ``factor`` (within [0, 1]): 0.5 leaves it unchanged, more sharpens,
    less blurs. The result is clipped to ``value_range``.

    Example::

        aug = RandomSharpness(factor=(0.5, 0.9), seed=0)
    """

    _SMOOTH = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], "float32") / 13.0

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomSharpness", factor, (0.0, 1.0))
        self.value_range = _value_range("RandomSharpness", value_range)

    def random_transformation(self, batch):
        return {"factor": self._uniform(batch, self.factor[0], self.factor[1])}

    def transform(self, images, transformation):
        amount = ops.reshape(ops.cast(transformation["factor"], images.dtype) * 2.0,
                             (-1, 1, 1, 1))
        smooth = _depthwise(images, ops.convert_to_tensor(self._SMOOTH))
        out = ops.add(images, ops.multiply(ops.subtract(1.0, amount),
                                           ops.subtract(smooth, images)))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


def _odd_pair(value):
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                             or v < 1 or v % 2 == 0 for v in pair):
        raise arg_utils.invalid("RandomGaussianBlur", "kernel_size",
                                "an odd positive int or a pair of them", value)
    return tuple(int(v) for v in pair)


def _gaussian_1d(size: int, sigma):
    x = ops.subtract(ops.arange(size, dtype="float32"), (size - 1) / 2.0)
    weights = ops.exp(ops.multiply(-0.5, ops.square(ops.divide(x, sigma))))
    return ops.divide(weights, ops.sum(weights))


class RandomGaussianBlur(_ColorLayer):
    """Blurs an image with probability drawn from ``factor`` per image, with a Gaussian of
    ``kernel_size`` whose two standard deviations (columns, rows) are drawn from ``sigma``
    once per batch; the result is clipped to ``value_range``."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomGaussianBlur", factor, (0.0, 1.0))
        self.kernel_size = _odd_pair(kernel_size)
        self.sigma = _factor("RandomGaussianBlur", sigma, (0.0, float("inf")), "sigma")
        self.value_range = _value_range("RandomGaussianBlur", value_range)

    def random_transformation(self, batch):
        probability = self._uniform(batch, self.factor[0], self.factor[1])
        apply = ops.less(self._uniform(batch, 0.0, 1.0), probability)
        sigma = ops.add(self._uniform(2, self.sigma[0], self.sigma[1]), 1e-6)
        return {"should_apply_blur": apply, "blur_factor": sigma}

    def transform(self, images, transformation):
        sigma = ops.cast(transformation["blur_factor"], "float32")
        # Rows use the second size and deviation, columns the first (Keras's convention).
        kernel = ops.multiply(
            ops.expand_dims(_gaussian_1d(self.kernel_size[1], sigma[1]), 1),
            ops.expand_dims(_gaussian_1d(self.kernel_size[0], sigma[0]), 0))
        blurred = _depthwise(images, kernel)
        apply = ops.reshape(transformation["should_apply_blur"], (-1, 1, 1, 1))
        out = ops.where(apply, blurred, images)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "kernel_size": list(self.kernel_size), "sigma": list(self.sigma),
                "value_range": list(self.value_range)}
