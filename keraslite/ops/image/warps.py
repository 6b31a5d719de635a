"""Elastic deformation and scale-and-translate resampling of images."""
from __future__ import annotations

import math

import numpy as np

from keraslite.backends import core as _core
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op
from keraslite.ops.image._format import data_format as _fmt, float_images, to_batch_last
from keraslite.ops.image.filters import gaussian_blur
from keraslite.ops.image.sampling import _check_interpolation, _check_mode, _sample_images


@keras_op
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Images warped by a random smooth displacement field (Simard et al., 2003): uniform
    noise in [-1, 1] per pixel and axis, Gaussian-blurred with ``sigma``, scaled by ``alpha``."""
    _check_interpolation(interpolation, "elastic_transform")
    _check_mode(fill_mode, "elastic_transform")
    if alpha < 0 or sigma <= 0:
        raise ValueError("ops.image.elastic_transform: `alpha` must be >= 0 and `sigma` > 0. "
                         f"Received: alpha={alpha!r}, sigma={sigma!r}")
    from keraslite.random import uniform

    x, restore = to_batch_last(images, _fmt(data_format, "elastic_transform"),
                               "elastic_transform")
    x = float_images(x)
    dtype = _core.standardize_dtype(x.dtype)
    # drawn outside the compiled part: a SeedGenerator advances its state here
    noise = uniform(tuple(x.shape[:3]) + (2,), -1.0, 1.0, dtype=dtype, seed=seed)
    return restore(_displace(x, noise, float(alpha), float(sigma), interpolation, fill_mode,
                             fill_value))


@_core.fused
def _displace(x, noise, alpha, sigma, interpolation, fill_mode, fill_value):
    height, width = x.shape[1], x.shape[2]
    dtype = _core.standardize_dtype(x.dtype)
    size = 2 * int(math.ceil(3 * sigma)) + 1  # the window holds +-3 sigma
    field = _np.multiply(gaussian_blur.raw(noise, (size, size), (sigma, sigma),
                                           "channels_last"), alpha)
    rows = _np.add(_np.reshape(_np.arange(height, dtype=dtype), (1, height, 1)), field[..., 0])
    cols = _np.add(_np.reshape(_np.arange(width, dtype=dtype), (1, 1, width)), field[..., 1])
    return _sample_images(x, rows, cols, interpolation, fill_mode, fill_value)


def _keys_cubic(t):
    t = np.abs(t)
    a = -0.5
    return np.where(t <= 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                    np.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0))


def _lanczos(n):
    return lambda t: np.where(np.abs(t) < n, np.sinc(t) * np.sinc(t / n), 0.0)


_KERNELS = {
    "linear": lambda t: np.maximum(0.0, 1 - np.abs(t)), "cubic": _keys_cubic,
    "lanczos3": _lanczos(3), "lanczos5": _lanczos(5),
}
_ALIASES = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic",
            "tricubic": "cubic"}


def _weights(n_in, n_out, scale, shift, kernel, antialias):
    """(n_in, n_out) resampling matrix: output pixel i samples the input at
    ``(i + 0.5 - shift) / scale`` (pixel centres at half-integers)."""
    centre = (np.arange(n_out) + 0.5 - shift) / scale
    squeeze = min(scale, 1.0) if antialias else 1.0  # widen the kernel when shrinking
    dist = (np.arange(n_in)[:, None] + 0.5 - centre[None, :]) * squeeze
    w = kernel(dist)
    total = w.sum(0, keepdims=True)
    w = np.where(np.abs(total) > 1e-6, w / np.where(total == 0, 1, total), 0.0)
    inside = (centre >= 0) & (centre <= n_in)  # samples beyond the input give 0
    return (w * inside[None, :]).astype("float32")


def _host(value, name):
    try:
        return np.asarray(_core.convert_to_numpy(value), "float64").reshape(-1)
    except Exception as error:
        raise ValueError(f"ops.image.scale_and_translate: argument `{name}` must be concrete "
                         "(the resampling weights are built from it).") from error


@keras_op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """``images`` resampled along ``spatial_dims`` to ``output_shape``: output pixel i of a
    dimension samples the input at ``(i + 0.5 - translation) / scale - 0.5`` with the
    ``method`` kernel (linear, cubic, lanczos3, lanczos5), normalised to sum 1."""
    method = _ALIASES.get(method, method)
    if method not in _KERNELS:
        raise ValueError("ops.image.scale_and_translate: argument `method` must be one of "
                         f"{tuple(_KERNELS) + tuple(_ALIASES)}. Received: method={method!r}")
    x = _np.array(images) if not hasattr(images, "shape") else images
    x = float_images(x)
    spatial_dims = tuple(int(d) % len(x.shape) for d in spatial_dims)
    output_shape = tuple(int(s) for s in output_shape)
    scale, translation = _host(scale, "scale"), _host(translation, "translation")
    if len(output_shape) != len(x.shape) or not (len(scale) == len(translation)
                                                 == len(spatial_dims)):
        raise ValueError("ops.image.scale_and_translate: `output_shape` must have the rank of "
                         "`images`, and `scale`/`translation` one value per spatial dim. "
                         f"Received: images.shape={tuple(x.shape)}, output_shape={output_shape}"
                         f", {len(scale)} scales, {len(translation)} translations, "
                         f"spatial_dims={spatial_dims}")
    if np.any(scale <= 0):
        raise ValueError(f"ops.image.scale_and_translate: `scale` must be positive. "
                         f"Received: {scale.tolist()}")
    for d, s, t in zip(spatial_dims, scale, translation):
        w = _weights(x.shape[d], output_shape[d], s, t, _KERNELS[method], antialias)
        moved = _np.moveaxis(x, d, -1)
        x = _np.moveaxis(_np.matmul(moved, _core.cast(_np.array(w), x.dtype)), -1, d)
    return x


__all__ = ["elastic_transform", "scale_and_translate"]
