"""Resizing, cropping and padding of images."""
from __future__ import annotations

import numpy as np

from keraslite.backends import image as _image
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import fused_op
from keraslite.ops.image._format import data_format as _fmt, to_batch_last


def _size(size, op: str) -> tuple:
    if (not isinstance(size, (list, tuple)) or len(size) != 2
            or not all(isinstance(s, int) and s > 0 for s in size)):
        raise ValueError(f"ops.image.{op}: argument `size` must be a pair of positive ints "
                         f"(height, width). Received: size={size!r}")
    return tuple(size)


@fused_op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Images resampled to ``size`` = (height, width).

    ``crop_to_aspect_ratio`` first cuts the largest centred window of the target aspect ratio;
    ``pad_to_aspect_ratio`` first pads with ``fill_value`` to it. ``antialias`` low-pass filters
    when shrinking. Ints compute in floatx.
    """
    size = _size(size, "resize")
    if interpolation not in _image.INTERPOLATIONS:
        raise ValueError(f"ops.image.resize: argument `interpolation` must be one of "
                         f"{_image.INTERPOLATIONS} on this backend. "
                         f"Received: interpolation={interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("ops.image.resize: only one of `crop_to_aspect_ratio` and "
                         "`pad_to_aspect_ratio` can be True. Received: both True")
    if fill_mode != "constant":
        raise ValueError("ops.image.resize: argument `fill_mode` supports only 'constant'. "
                         f"Received: fill_mode={fill_mode!r}")
    x, restore = to_batch_last(images, _fmt(data_format, "resize"), "resize")
    height, width = x.shape[1], x.shape[2]
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        if height is None or width is None:
            raise ValueError("ops.image.resize: `crop_to_aspect_ratio`/`pad_to_aspect_ratio` "
                             f"need known image sizes. Received: shape={tuple(images.shape)}")
        # the ratio in float32, as Keras computes it (14 / (4 / 6) is then 20.99..., so 20)
        target = np.float32(size[1]) / np.float32(size[0])
        if crop_to_aspect_ratio:
            ch = min(height, int(np.float32(width) / target))
            cw = min(width, int(np.float32(height) * target))
            top, left = (height - ch) // 2, (width - cw) // 2
            x = x[:, top:top + ch, left:left + cw, :]
        else:
            ph = max(height, int(np.float32(width) / target))
            pw = max(width, int(np.float32(height) * target))
            top, left = (ph - height) // 2, (pw - width) // 2
            x = _np.pad(x, ((0, 0), (top, ph - height - top), (left, pw - width - left),
                            (0, 0)), "constant", fill_value)
    return restore(_image.resize(x, size, interpolation, antialias))


def _box(name_a, a, name_b, b, target_name, target, total, op):
    """The two margins of one axis: given, or one solved from ``target`` (the other 0 when
    neither margin nor target is given)."""
    if target is None:
        a, b = a or 0, b or 0
    elif a is not None and b is not None:
        raise ValueError(f"ops.image.{op}: give only two of `{name_a}`, `{name_b}` and "
                         f"`{target_name}`. Received: all three")
    elif a is None and b is None:
        raise ValueError(f"ops.image.{op}: with `{target_name}` give one of `{name_a}` and "
                         f"`{name_b}`. Received: {target_name}={target} alone")
    else:
        if total is None:
            raise ValueError(f"ops.image.{op}: `{target_name}` needs a known image size. "
                             f"Received: a dimension of size None")
        diff = total - target if op == "crop_images" else target - total
        a, b = (diff - b, b) if a is None else (a, diff - a)
    for name, value in ((name_a, a), (name_b, b)):
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"ops.image.{op}: `{name}` must be a non-negative int (it may "
                             f"follow from the other sizes given). Received: {name}={value}")
    return a, b


@fused_op
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Images cut by the given margins (or to the target size from the given margins)."""
    x, restore = to_batch_last(images, _fmt(data_format, "crop_images"), "crop_images")
    height, width = x.shape[1], x.shape[2]
    top, bottom = _box("top_cropping", top_cropping, "bottom_cropping", bottom_cropping,
                       "target_height", target_height, height, "crop_images")
    left, right = _box("left_cropping", left_cropping, "right_cropping", right_cropping,
                       "target_width", target_width, width, "crop_images")
    if (height is not None and top + bottom >= height) or (
            width is not None and left + right >= width):
        raise ValueError(f"ops.image.crop_images: the cropping leaves no pixels of images of "
                         f"size ({height}, {width}). Received: top={top}, bottom={bottom}, "
                         f"left={left}, right={right}")
    return restore(x[:, top:(-bottom or None), left:(-right or None), :])


@fused_op
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Images padded with zeros by the given margins (or to the target size)."""
    x, restore = to_batch_last(images, _fmt(data_format, "pad_images"), "pad_images")
    height, width = x.shape[1], x.shape[2]
    top, bottom = _box("top_padding", top_padding, "bottom_padding", bottom_padding,
                       "target_height", target_height, height, "pad_images")
    left, right = _box("left_padding", left_padding, "right_padding", right_padding,
                       "target_width", target_width, width, "pad_images")
    return restore(_np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))))


__all__ = ["crop_images", "pad_images", "resize"]
