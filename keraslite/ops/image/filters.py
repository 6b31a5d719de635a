"""Filters over images: gaussian blur, Sobel edges, SSIM."""
from __future__ import annotations

import numpy as np

from keraslite.backends import core as _core
from keraslite.backends import nn as _nn
from keraslite.backends import numpy as _bnp
from keraslite.ops.dispatch import fused_op
from keraslite.ops.image._format import data_format as _fmt, float_images, pair, to_batch_last


def _gaussian_1d(size: int, sigma: float) -> np.ndarray:
    r = np.arange(size, dtype="float64") - (size - 1) / 2.0
    g = np.exp(-0.5 * (r / sigma) ** 2)
    return g / g.sum()


def _depthwise(x, kernel2d: np.ndarray, padding: str):
    channels = x.shape[-1]
    k = np.tile(kernel2d[:, :, None, None], (1, 1, channels, 1))
    return _nn.depthwise_conv(x, _core.cast(_bnp.array(k.astype("float32")), x.dtype), 1,
                              padding, "channels_last")


def _zero_pad(x, kh: int, kw: int):
    return _bnp.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))


@fused_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Images blurred by a normalised Gaussian window (zeros beyond the edges, as Keras)."""
    kh, kw = pair(kernel_size, "kernel_size", "gaussian_blur")
    sh, sw = (sigma, sigma) if isinstance(sigma, (int, float)) else tuple(sigma)
    if min(kh, kw) < 1 or min(sh, sw) <= 0:
        raise ValueError("ops.image.gaussian_blur: `kernel_size` must be positive and `sigma` "
                         f"> 0. Received: kernel_size={kernel_size!r}, sigma={sigma!r}")
    x, restore = to_batch_last(images, _fmt(data_format, "gaussian_blur"), "gaussian_blur")
    x = float_images(x)
    kernel = np.outer(_gaussian_1d(kh, sh), _gaussian_1d(kw, sw))
    return restore(_depthwise(_zero_pad(x, kh, kw), kernel, "valid"))


@fused_op
def sobel_edges(images, data_format=None):
    """Vertical and horizontal Sobel responses, stacked on a new last axis: (..., C, 2)."""
    fmt = _fmt(data_format, "sobel_edges")
    x, restore = to_batch_last(images, "channels_last", "sobel_edges", ranks=(4,))
    if fmt == "channels_first":
        x = _bnp.moveaxis(x, 1, -1)
    x = float_images(x)
    # edges reflected by one pixel, as TF's sobel_edges does
    padded = _bnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), "reflect")
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "float64")
    out = _bnp.stack([_depthwise(padded, ky, "valid"), _depthwise(padded, ky.T, "valid")], -1)
    if fmt == "channels_first":
        out = _bnp.moveaxis(out, 3, 1)
    return out


@fused_op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two images (or batches), averaged over pixels and channels;
    a Gaussian window, no padding (the definition of Wang et al. 2004)."""
    fmt = _fmt(data_format, "ssim")
    a, _ = to_batch_last(image1, fmt, "ssim", "image1")
    b, _ = to_batch_last(image2, fmt, "ssim", "image2")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"ops.image.ssim: `image1` and `image2` must have the same shape. "
                         f"Received: {tuple(image1.shape)} and {tuple(image2.shape)}")
    if any(d is not None and d < filter_size for d in a.shape[1:3]):
        raise ValueError(f"ops.image.ssim: the images must be at least `filter_size` "
                         f"({filter_size}) pixels high and wide. Received: image1.shape="
                         f"{tuple(image1.shape)}")
    a, b = float_images(a), float_images(b)
    window = np.outer(_gaussian_1d(filter_size, filter_sigma),
                      _gaussian_1d(filter_size, filter_sigma))

    def blur(t):
        return _depthwise(t, window, "valid")

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a = _bnp.subtract(blur(_bnp.square(a)), _bnp.square(mu_a))
    var_b = _bnp.subtract(blur(_bnp.square(b)), _bnp.square(mu_b))
    cov = _bnp.subtract(blur(_bnp.multiply(a, b)), _bnp.multiply(mu_a, mu_b))
    num = _bnp.multiply(_bnp.add(_bnp.multiply(2.0, _bnp.multiply(mu_a, mu_b)), c1),
                        _bnp.add(_bnp.multiply(2.0, cov), c2))
    den = _bnp.multiply(_bnp.add(_bnp.add(_bnp.square(mu_a), _bnp.square(mu_b)), c1),
                        _bnp.add(_bnp.add(var_a, var_b), c2))
    per_image = _bnp.mean(_bnp.divide(num, den), axis=(1, 2, 3))
    return per_image if len(image1.shape) == 4 else per_image[0]


__all__ = ["gaussian_blur", "sobel_edges", "ssim"]
