"""Checks shared by the drawing functions: a batch of images as a channels-last NumPy array."""
from __future__ import annotations

import numpy as np

from keraslite import config


def to_numpy(x) -> np.ndarray:
    from keraslite.backend import convert_to_numpy

    return np.asarray(x) if isinstance(x, (np.ndarray, list, tuple)) else convert_to_numpy(x)


def check_data_format(fn: str, data_format: str | None) -> str:
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{fn}: argument `data_format` must be 'channels_last' or "
                         f"'channels_first'. Received: data_format={data_format!r}")
    return data_format


def image_batch(fn: str, images, data_format: str, name: str = "images") -> np.ndarray:
    """``images`` as a channels-last ``(batch, height, width, channels)`` array."""
    images = to_numpy(images)
    if images.ndim != 4:
        raise ValueError(f"{fn}: `{name}` must be a batch of images (a 4D array). "
                         f"Received: {name}.shape={images.shape}")
    return np.transpose(images, (0, 2, 3, 1)) if data_format == "channels_first" else images
