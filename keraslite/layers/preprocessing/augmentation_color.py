"""Per-pixel colour augmentations: RandomBrightness, RandomInvert, Solarization,
RandomPosterization, RandomGrayscale, AutoContrast.

Each layer splits into ``random_transformation(batch)`` (the random draws, a dict of arrays)
and ``transform(images, transformation)`` (deterministic), as Keras does, so a test can feed
the same draws to both and compare the arithmetic exactly. Images are channels-last inside;
``value_range`` is the range the input pixels live in (0-255 by default).
"""
from __future__ import annotations

import numbers
from typing import Optional, Sequence, Tuple

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing.random_image import _RandomImageLayer

_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # ITU-R BT.601 luma, as rgb_to_grayscale


def _value_range(cls: str, value_range) -> Tuple[float, float]:
    try:
        low, high = sorted(float(v) for v in value_range)
    except (TypeError, ValueError):
        raise arg_utils.invalid(cls, "value_range", "a pair (low, high) of numbers",
                                value_range) from None
    if low == high:
        raise arg_utils.invalid(cls, "value_range", "a pair with low < high", value_range)
    return low, high


def _factor(cls: str, factor, bounds: Tuple[float, float], arg: str = "factor"):
    """A number ``f`` -> ``(max(-f, lower bound), f)``; a pair is sorted; both within bounds."""
    what = f"a number or a pair of numbers in [{bounds[0]}, {bounds[1]}]"
    if isinstance(factor, bool):
        raise arg_utils.invalid(cls, arg, what, factor)
    if isinstance(factor, numbers.Real):
        f = abs(float(factor))
        pair = (max(-f, bounds[0]), f)
        if float(factor) < bounds[0] or f > bounds[1]:
            raise arg_utils.invalid(cls, arg, what, factor)
        return pair
    try:
        pair = tuple(sorted(float(v) for v in factor))
    except (TypeError, ValueError):
        raise arg_utils.invalid(cls, arg, what, factor) from None
    if len(pair) != 2 or pair[0] < bounds[0] or pair[1] > bounds[1]:
        raise arg_utils.invalid(cls, arg, what, factor)
    return pair


def rescale_range(images, source: Sequence[float], target: Sequence[float]):
    """Maps pixel values linearly from the ``source`` range to the ``target`` range."""
    if tuple(source) == tuple(target):
        return images
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return ops.add(ops.multiply(ops.subtract(images, source[0]), scale), target[0])


class _ColorLayer(_RandomImageLayer):
    """Draws the transformation for the batch, then applies it."""

    def augment(self, x):
        return self.transform(x, self.random_transformation(ops.shape(x)[0]))

    def random_transformation(self, batch) -> dict:
        return {}

    def _per_image(self, batch, low, high):
        return ops.reshape(self._uniform(batch, low, high), (-1, 1, 1, 1))


class RandomBrightness(_ColorLayer):
    """Adds one random offset per image, ``factor * (value_range width)`` with ``factor``
    drawn from ``[-f, f]`` (or the given pair, within [-1, 1]), then clips to ``value_range``.

    Example::

        aug = RandomBrightness(0.2, seed=1)
        y = aug(images, training=True)
    """

    def __init__(self, factor, value_range=(0, 255), seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _factor("RandomBrightness", factor, (-1.0, 1.0))
        self.value_range = _value_range("RandomBrightness", value_range)

    def random_transformation(self, batch):
        width = self.value_range[1] - self.value_range[0]
        delta = self._per_image(batch, self.factor[0], self.factor[1])
        return {"rgb_delta": ops.multiply(delta, width)}

    def transform(self, images, transformation):
        shifted = ops.add(images, ops.cast(transformation["rgb_delta"], images.dtype))
        return ops.clip(shifted, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomInvert(_ColorLayer):
    """Inverts an image (``high - x``) with a probability drawn from ``factor`` per image."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed: Optional[int] = None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomInvert", factor, (0.0, 1.0))
        self.value_range = _value_range("RandomInvert", value_range)

    def random_transformation(self, batch):
        probability = self._uniform(batch, self.factor[0], self.factor[1])
        return {"apply_inversion": ops.less(self._uniform(batch, 0.0, 1.0), probability)}

    def transform(self, images, transformation):
        apply = ops.reshape(transformation["apply_inversion"], (-1, 1, 1, 1))
        return ops.where(apply, ops.subtract(self.value_range[1], images), images)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class Solarization(_ColorLayer):
    """Adds a random offset (``addition_factor`` of 255) and inverts every pixel at or above a
    random threshold (``threshold_factor`` of 255), in the 0-255 scale of ``value_range``."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _factor("Solarization", addition_factor, (0.0, 1.0),
                                       "addition_factor")
        self.threshold_factor = _factor("Solarization", threshold_factor, (0.0, 1.0),
                                        "threshold_factor")
        self.value_range = _value_range("Solarization", value_range)

    def random_transformation(self, batch):
        return {"additions": self._per_image(batch, self.addition_factor[0] * 255,
                                             self.addition_factor[1] * 255),
                "thresholds": self._per_image(batch, self.threshold_factor[0] * 255,
                                              self.threshold_factor[1] * 255)}

    def transform(self, images, transformation):
        x = rescale_range(images, self.value_range, (0.0, 255.0))
        x = ops.clip(ops.add(x, ops.cast(transformation["additions"], x.dtype)), 0.0, 255.0)
        x = ops.where(ops.less(x, ops.cast(transformation["thresholds"], x.dtype)), x,
                      ops.subtract(255.0, x))
        return rescale_range(x, (0.0, 255.0), self.value_range)

    def get_config(self):
        return {**super().get_config(), "addition_factor": list(self.addition_factor),
                "threshold_factor": list(self.threshold_factor),
                "value_range": list(self.value_range)}


class RandomPosterization(_ColorLayer):
    """Keeps only the top ``bits`` bits of each 8-bit channel value; ``bits`` is ``factor``
    when fixed, else drawn per image from ``[factor[0], factor[1])`` (within 1-8)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        low, high = _factor("RandomPosterization", factor, (1.0, 8.0))
        self.factor = (int(low), int(high))
        self.value_range = _value_range("RandomPosterization", value_range)

    def random_transformation(self, batch):
        if self.factor[0] == self.factor[1]:
            bits = ops.full((batch,), self.factor[0], dtype="int32")
        else:
            bits = kl_random.randint((batch,), self.factor[0], self.factor[1],
                                     seed=self.seed_generator)
        return {"shift_factor": ops.subtract(8, bits)}

    def transform(self, images, transformation):
        x = ops.floor(ops.clip(rescale_range(images, self.value_range, (0.0, 255.0)), 0, 255))
        step = ops.power(2.0, ops.cast(transformation["shift_factor"], x.dtype))
        step = ops.reshape(step, (-1, 1, 1, 1))
        x = ops.multiply(ops.floor(ops.divide(x, step)), step)
        return rescale_range(x, (0.0, 255.0), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomGrayscale(_ColorLayer):
    """Replaces an image by its luma (on every channel) with probability ``factor``."""

    def __init__(self, factor: float = 0.5, data_format=None, seed: Optional[int] = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or \
                not 0 <= factor <= 1:
            raise arg_utils.invalid("RandomGrayscale", "factor", "a number in [0, 1]", factor)
        self.factor = float(factor)

    def random_transformation(self, batch):
        return {"should_apply": ops.less(self._uniform(batch, 0.0, 1.0), self.factor)}

    def transform(self, images, transformation):
        if images.shape[-1] != 3:
            raise ValueError(f"Layer '{self.name}' expects RGB images (3 channels). "
                             f"Received: shape={tuple(images.shape)}")
        weights = ops.convert_to_tensor(_GRAY_WEIGHTS, dtype=images.dtype)
        gray = ops.sum(ops.multiply(images, weights), axis=-1, keepdims=True)
        apply = ops.reshape(transformation["should_apply"], (-1, 1, 1, 1))
        return ops.where(apply, ops.broadcast_to(gray, ops.shape(images)), images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class AutoContrast(_ColorLayer):
    """Stretches each channel of each image to the full ``value_range`` (not random: it also
    applies at inference, as in Keras). A constant channel is left unchanged."""

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range("AutoContrast", value_range)

    def inference(self, inputs):
        x, unbatched = _batched(inputs)
        from keraslite.layers.preprocessing import image_ops

        x = image_ops.from_channels_last(
            self.transform(image_ops.to_channels_last(x, self.data_format), {}),
            self.data_format)
        return ops.squeeze(x, 0) if unbatched else x

    def transform(self, images, transformation):
        x = rescale_range(images, self.value_range, (0.0, 255.0))
        low = ops.min(x, axis=(1, 2), keepdims=True)
        high = ops.max(x, axis=(1, 2), keepdims=True)
        spread = ops.subtract(high, low)
        flat = ops.equal(spread, 0.0)
        scale = ops.divide(255.0, ops.where(flat, ops.ones_like(spread), spread))
        out = ops.clip(ops.multiply(ops.subtract(x, low), scale), 0.0, 255.0)
        out = rescale_range(out, (0.0, 255.0), self.value_range)
        return ops.where(flat, images, out)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        return {**config, "value_range": list(self.value_range)}


def _batched(inputs):
    from keraslite.layers.preprocessing import image_ops

    if "float" not in ops.standardize_dtype(inputs.dtype):
        inputs = ops.cast(inputs, "float32")
    return image_ops.with_batch(inputs)
