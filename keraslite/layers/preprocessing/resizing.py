"""Resizing and CenterCrop: deterministic image size changes."""
from __future__ import annotations

from keraslite import ops
from keraslite.backends import image as backend_image
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing import image_ops


def _spatial_axes(data_format):
    return (1, 2) if data_format == "channels_last" else (2, 3)


def resize_images(images, height, width, interpolation, crop_to_aspect_ratio, data_format,
                  pad_to_aspect_ratio=False, fill_value=0.0):
    """Resizes a rank-3 or rank-4 image tensor (optionally cropping or padding to the target
    aspect ratio first)."""
    x, unbatched = image_ops.with_batch(images)
    x = image_ops.to_channels_last(x, data_format)
    in_h, in_w = int(x.shape[1]), int(x.shape[2])
    if crop_to_aspect_ratio:
        top, left, ch, cw = image_ops.center_crop_box(in_h, in_w, height, width)
        x = x[:, top:top + ch, left:left + cw, :]
    elif pad_to_aspect_ratio:
        top, left = image_ops.pad_box(in_h, in_w, height, width)
        # The same margin on both sides (an odd remainder is dropped), as Keras pads.
        x = ops.pad(x, ((0, 0), (top, top), (left, left), (0, 0)), constant_values=fill_value)
    if (int(x.shape[1]), int(x.shape[2])) != (height, width):
        x = image_ops.resize(x, height, width, interpolation)
    x = image_ops.from_channels_last(x, data_format)
    return ops.squeeze(x, 0) if unbatched else x


def _output_shape(input_shape, height, width, data_format):
    shape = list(input_shape)
    offset = len(shape) - 3
    axes = (0, 1) if data_format == "channels_last" else (1, 2)
    shape[offset + axes[0]] = height
    shape[offset + axes[1]] = width
    return tuple(shape)


class Resizing(Layer):
    """Resizes images to ``(height, width)`` (half-pixel centres).

    ``interpolation`` is "bilinear", "nearest", "bicubic", "lanczos3" or "lanczos5" (and
    "area" on the TensorFlow backend). ``antialias=True`` widens the kernel when shrinking so
    that it low-pass filters (no aliasing). Bilinear and nearest without antialiasing are
    computed here; the other kernels, and antialiasing, are the backend's image resampling
    (``keraslite.ops.image.resize``), as in Keras on the same backend.

    With ``crop_to_aspect_ratio=True`` the largest centred window of the target aspect ratio is
    cropped first, so the image is not distorted.

    Example::

        y = keraslite.layers.Resizing(64, 64)(np.zeros((2, 100, 80, 3)))   # (2, 64, 64, 3)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.height = arg_utils.positive_int(name, "height", height)
        self.width = arg_utils.positive_int(name, "width", width)
        allowed = tuple(backend_image.INTERPOLATIONS)
        if interpolation not in allowed:
            raise arg_utils.invalid(name, "interpolation", f"one of {allowed} on this backend",
                                    interpolation)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise arg_utils.invalid(name, "pad_to_aspect_ratio",
                                    "False when crop_to_aspect_ratio=True", pad_to_aspect_ratio)
        if fill_mode != "constant":
            raise arg_utils.invalid(name, "fill_mode", "'constant'", fill_mode)
        if not isinstance(antialias, (bool, int)):
            raise arg_utils.invalid(name, "antialias", "a bool", antialias)
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.antialias = bool(antialias)
        self.data_format = arg_utils.standardize_data_format(name, data_format)

    def call(self, inputs):
        if "float" not in ops.standardize_dtype(inputs.dtype):
            inputs = ops.cast(inputs, self.compute_dtype)
        if self.antialias or self.interpolation not in image_ops.INTERPOLATIONS:
            return ops.image.resize(
                inputs, (self.height, self.width), interpolation=self.interpolation,
                antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_value=self.fill_value,
                data_format=self.data_format)
        return resize_images(inputs, self.height, self.width, self.interpolation,
                             self.crop_to_aspect_ratio, self.data_format,
                             self.pad_to_aspect_ratio, self.fill_value)

    def compute_output_shape(self, input_shape):
        return _output_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias,
                "data_format": self.data_format}


class CenterCrop(Layer):
    """Crops the central ``(height, width)`` window of each image.

    An image smaller than the target is first resized (keeping its aspect ratio by cropping)
    so the output always has the target size.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = arg_utils.positive_int("CenterCrop", "height", height)
        self.width = arg_utils.positive_int("CenterCrop", "width", width)
        self.data_format = arg_utils.standardize_data_format("CenterCrop", data_format)

    def call(self, inputs):
        if "float" not in ops.standardize_dtype(inputs.dtype):
            inputs = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        in_h, in_w = int(inputs.shape[h_axis]), int(inputs.shape[w_axis])
        dh, dw = in_h - self.height, in_w - self.width
        if dh < 0 or dw < 0:
            return resize_images(inputs, self.height, self.width, "bilinear", True,
                                 self.data_format)
        top, left = dh // 2, dw // 2
        index = [slice(None)] * len(inputs.shape)
        index[h_axis] = slice(top, top + self.height)
        index[w_axis] = slice(left, left + self.width)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        return _output_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}
