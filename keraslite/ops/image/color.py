"""Color conversions: grayscale, RGB <-> HSV (hue, saturation and value in [0, 1])."""
from __future__ import annotations

from keraslite.backends import core as _core
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import fused_op
from keraslite.ops.image._format import data_format, float_images, to_batch_last

# ITU-R BT.601 luma weights (those of Keras and TF)
_LUMA = (0.2989, 0.5870, 0.1140)


def _rgb(images, fmt, op):
    x, restore = to_batch_last(images, data_format(fmt, op), op)
    if x.shape[-1] is not None and x.shape[-1] != 3:
        raise ValueError(f"ops.image.{op}: argument `images` must have 3 channels (RGB). "
                         f"Received: images.shape={tuple(images.shape)}")
    return x, restore


@fused_op
def rgb_to_grayscale(images, data_format=None):
    """Luma of RGB images, one channel; keeps the input dtype for float images."""
    x, restore = _rgb(images, data_format, "rgb_to_grayscale")
    x = float_images(x)
    weights = _core.cast(_np.array(list(_LUMA), "float32"), x.dtype)
    return restore(_np.sum(_np.multiply(x, weights), -1, True))


@fused_op
def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV in [0, 1] (float images)."""
    x, restore = _rgb(images, data_format, "rgb_to_hsv")
    x = float_images(x)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    value = _np.max(x, -1)
    rng = _np.subtract(value, _np.min(x, -1))
    safe_v = _np.where(_np.greater(value, 0), value, 1.0)
    sat = _np.where(_np.greater(value, 0), _np.divide(rng, safe_v), 0.0)
    safe_r = _np.where(_np.greater(rng, 0), rng, 1.0)
    hue = _np.where(_np.equal(value, r), _np.divide(_np.subtract(g, b), safe_r),
                    _np.where(_np.equal(value, g),
                              _np.add(_np.divide(_np.subtract(b, r), safe_r), 2.0),
                              _np.add(_np.divide(_np.subtract(r, g), safe_r), 4.0)))
    hue = _np.mod(_np.divide(hue, 6.0), 1.0)
    hue = _np.where(_np.greater(rng, 0), hue, 0.0)
    return restore(_np.stack([hue, sat, value], -1))


@fused_op
def hsv_to_rgb(images, data_format=None):
    """HSV in [0, 1] to RGB in [0, 1] (float images)."""
    x, restore = _rgb(images, data_format, "hsv_to_rgb")
    x = float_images(x)
    h, s, v = x[..., 0], x[..., 1], x[..., 2]

    def channel(n):
        # f(n) = v - v s max(0, min(k, 4 - k, 1)), k = (n + 6h) mod 6
        k = _np.mod(_np.add(_np.multiply(h, 6.0), n), 6.0)
        m = _np.clip(_np.minimum(k, _np.subtract(4.0, k)), 0.0, 1.0)
        return _np.subtract(v, _np.multiply(_np.multiply(v, s), m))

    return restore(_np.stack([channel(5.0), channel(3.0), channel(1.0)], -1))


__all__ = ["hsv_to_rgb", "rgb_to_grayscale", "rgb_to_hsv"]
