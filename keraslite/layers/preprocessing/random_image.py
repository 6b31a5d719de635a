"""Random image augmentation layers: identity unless called with ``training=True``.

Each draws its parameters from its own SeedGenerator (so a seeded layer repeats its sequence and
the compiled training step threads the RNG state), with no Python branching on tensor values.
"""
from __future__ import annotations

import math
import numbers


from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing import image_ops
from keraslite.layers.preprocessing.resizing import resize_images, _output_shape


def _check_seed(cls, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise arg_utils.invalid(cls, "seed", "an int or None", seed)
    return None if seed is None else int(seed)


def _factor_range(cls, arg, factor, low=None, high=None, symmetric=True):
    """A float ``f`` -> ``(-f, f)`` (or ``(0, f)``); a pair stays a pair; bounds checked."""
    what = "a float or a pair (lower, upper) of floats"
    if isinstance(factor, bool):
        raise arg_utils.invalid(cls, arg, what, factor)
    if isinstance(factor, numbers.Real):
        f = float(factor)
        pair = (-abs(f), abs(f)) if symmetric else (0.0, f)
    else:
        try:
            pair = tuple(float(v) for v in factor)
        except (TypeError, ValueError):
            raise arg_utils.invalid(cls, arg, what, factor) from None
        if len(pair) != 2 or pair[0] > pair[1]:
            raise arg_utils.invalid(cls, arg, "a pair (lower, upper) with lower <= upper",
                                    factor)
    if (low is not None and pair[0] < low) or (high is not None and pair[1] > high):
        raise arg_utils.invalid(cls, arg, f"within [{low}, {high}]", factor)
    return pair


def _config_factor(factor):
    return list(factor) if isinstance(factor, (list, tuple)) else factor


class _RandomImageLayer(Layer):
    """Shared plumbing: seed generator, data format, batching and dtype handling."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.seed = _check_seed(cls, seed)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.seed_generator = kl_random.SeedGenerator(self.seed)
        self.supports_masking = False

    def call(self, inputs, training=None):
        if "float" not in ops.standardize_dtype(inputs.dtype):
            inputs = ops.cast(inputs, self.compute_dtype)
        # As in Keras, a call that says nothing about training augments (fit passes True,
        # predict/evaluate pass False).
        if training is False:
            return self.inference(inputs)
        x, unbatched = image_ops.with_batch(inputs)
        x = image_ops.to_channels_last(x, self.data_format)
        x = self.augment(x)
        x = image_ops.from_channels_last(x, self.data_format)
        return ops.squeeze(x, 0) if unbatched else x

    def inference(self, inputs):
        return inputs

    def _uniform(self, batch, low, high):
        return kl_random.uniform((batch,), minval=low, maxval=high, seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}


class RandomFlip(_RandomImageLayer):
    """Flips each image left-right and/or up-down with probability 1/2 (while training).

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.

    Example::

        aug = keraslite.layers.RandomFlip("horizontal", seed=0)
        y = aug(images, training=True)   # about half the images mirrored
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise arg_utils.invalid(
                "RandomFlip", "mode",
                "'horizontal', 'vertical' or 'horizontal_and_vertical'", mode)
        self.mode = mode

    def augment(self, x):
        batch = ops.shape(x)[0]
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            flip = ops.reshape(self._uniform(batch, 0.0, 1.0) < 0.5, (-1, 1, 1, 1))
            x = ops.where(flip, ops.flip(x, axis=2), x)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            flip = ops.reshape(self._uniform(batch, 0.0, 1.0) < 0.5, (-1, 1, 1, 1))
            x = ops.where(flip, ops.flip(x, axis=1), x)
        return x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomCrop(_RandomImageLayer):
    """Crops a random ``(height, width)`` window while training (one offset per batch).

    At inference it crops the largest centred window of the target aspect ratio and resizes it
    to ``(height, width)`` (as ``Resizing(..., crop_to_aspect_ratio=True)``), so the output
    size is the same in both modes. Images smaller than the target are resized likewise.
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height = arg_utils.positive_int("RandomCrop", "height", height)
        self.width = arg_utils.positive_int("RandomCrop", "width", width)

    def inference(self, inputs):
        return resize_images(inputs, self.height, self.width, "bilinear", True,
                             self.data_format)

    def augment(self, x):
        in_h, in_w = int(x.shape[1]), int(x.shape[2])
        if in_h < self.height or in_w < self.width:
            return resize_images(x, self.height, self.width, "bilinear", True, "channels_last")
        top = ops.cast(ops.floor(kl_random.uniform((), 0.0, 1.0, seed=self.seed_generator)
                                 * (in_h - self.height + 1)), "int32")
        left = ops.cast(ops.floor(kl_random.uniform((), 0.0, 1.0, seed=self.seed_generator)
                                  * (in_w - self.width + 1)), "int32")
        top = ops.minimum(top, in_h - self.height)
        left = ops.minimum(left, in_w - self.width)
        # Gathering rows/columns at traced offsets works under every backend's compiler.
        rows = top + ops.arange(self.height, dtype="int32")
        cols = left + ops.arange(self.width, dtype="int32")
        return ops.take(ops.take(x, rows, axis=1), cols, axis=2)

    def compute_output_shape(self, input_shape):
        return _output_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomContrast(_RandomImageLayer):
    """Scales each image's deviation from its per-channel mean by a random factor in
    ``[1 - lower, 1 + upper]`` while training, then clips to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        pair = _factor_range("RandomContrast", "factor", factor, symmetric=True)
        self.lower, self.upper = abs(pair[0]), abs(pair[1])
        if self.lower > 1:
            raise arg_utils.invalid("RandomContrast", "factor", "a value in [0, 1]", factor)
        self.factor = factor
        try:
            vr = tuple(float(v) for v in value_range)
        except (TypeError, ValueError):
            vr = ()
        if len(vr) != 2 or vr[0] >= vr[1]:
            raise arg_utils.invalid("RandomContrast", "value_range",
                                    "a pair (low, high) with low < high", value_range)
        self.value_range = vr

    def augment(self, x):
        batch = ops.shape(x)[0]
        factor = ops.cast(self._uniform(batch, 1.0 - self.lower, 1.0 + self.upper), x.dtype)
        factor = ops.reshape(factor, (-1, 1, 1, 1))
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        out = (x - mean) * factor + mean
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": _config_factor(self.factor),
                "value_range": list(self.value_range)}


class _RandomAffine(_RandomImageLayer):
    """Base of the warping layers: subclasses build per-image transforms."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", fill_value=0.0, seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        cls = type(self).__name__
        if fill_mode not in image_ops.FILL_MODES:
            raise arg_utils.invalid(cls, "fill_mode", " or ".join(map(repr, image_ops.FILL_MODES)),
                                    fill_mode)
        if interpolation not in image_ops.INTERPOLATIONS:
            raise arg_utils.invalid(cls, "interpolation", "'bilinear' or 'nearest'",
                                    interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = float(fill_value)

    def augment(self, x):
        transforms = self.transforms(ops.shape(x)[0], int(x.shape[1]), int(x.shape[2]))
        return image_ops.affine_transform(x, transforms, self.interpolation, self.fill_mode,
                                          self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def _stack_transforms(batch, cols):
    zeros = ops.zeros((batch,), "float32")
    return ops.stack([zeros if c is None else ops.cast(c, "float32") for c in cols], axis=1)


class RandomTranslation(_RandomAffine):
    """Shifts each image by random fractions of its height and width while training.

    ``height_factor=0.2`` shifts vertically by up to 20% either way; a pair ``(lo, hi)`` sets
    the range; positive shifts move the content down/right.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._h = _factor_range("RandomTranslation", "height_factor", height_factor, -1, 1)
        self._w = _factor_range("RandomTranslation", "width_factor", width_factor, -1, 1)

    def transforms(self, batch, h, w):
        dy = self._uniform(batch, self._h[0], self._h[1]) * h
        dx = self._uniform(batch, self._w[0], self._w[1]) * w
        ones = ops.ones((batch,), "float32")
        return _stack_transforms(batch, [ones, None, -dx, None, ones, -dy, None, None])

    def get_config(self):
        return {**super().get_config(), "height_factor": _config_factor(self.height_factor),
                "width_factor": _config_factor(self.width_factor)}


class RandomRotation(_RandomAffine):
    """Rotates each image about its centre by a random angle while training.

    ``factor`` is a fraction of a full turn: ``0.1`` draws angles in ``[-36, 36]`` degrees.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.factor = factor
        self._range = _factor_range("RandomRotation", "factor", factor)

    def transforms(self, batch, h, w):
        angle = self._uniform(batch, self._range[0] * 2 * math.pi, self._range[1] * 2 * math.pi)
        cos, sin = ops.cos(angle), ops.sin(angle)
        cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
        return _stack_transforms(batch, [cos, -sin, cx - cos * cx + sin * cy,
                                         sin, cos, cy - sin * cx - cos * cy, None, None])

    def get_config(self):
        return {**super().get_config(), "factor": _config_factor(self.factor)}


class RandomZoom(_RandomAffine):
    """Zooms each image by a random amount while training.

    ``height_factor=0.2`` draws a zoom in ``[-20%, +20%]``; a pair ``(lo, hi)`` sets the range.
    Positive values zoom out (the content shrinks), negative values zoom in.
    ``width_factor=None`` uses the height's zoom, keeping the aspect ratio.

    Example::

        aug = keraslite.layers.RandomZoom((-0.3, 0.0), fill_mode="constant", seed=1)
        y = aug(images, training=True)   # zoomed in by up to 30%
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._h = _factor_range("RandomZoom", "height_factor", height_factor, low=-1)
        self._w = None if width_factor is None else _factor_range(
            "RandomZoom", "width_factor", width_factor, low=-1)

    def transforms(self, batch, h, w):
        zy = 1.0 + self._uniform(batch, self._h[0], self._h[1])
        zx = zy if self._w is None else 1.0 + self._uniform(batch, self._w[0], self._w[1])
        cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
        return _stack_transforms(batch, [zx, None, cx * (1.0 - zx), None, zy, cy * (1.0 - zy),
                                         None, None])

    def get_config(self):
        return {**super().get_config(), "height_factor": _config_factor(self.height_factor),
                "width_factor": _config_factor(self.width_factor)}
