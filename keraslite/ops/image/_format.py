"""Shared argument handling of the image ops: data format, batch axis, checks."""
from __future__ import annotations

from keraslite import config
from keraslite.backends import core as _core
from keraslite.backends import numpy as _np


def data_format(value, op: str) -> str:
    value = config.image_data_format() if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"ops.image.{op}: argument `data_format` must be 'channels_last' or "
                         f"'channels_first'. Received: data_format={value!r}")
    return value


def to_batch_last(images, fmt: str, op: str, name: str = "images", ranks=(3, 4)):
    """``images`` as a channels_last batch, and a function undoing that on a result."""
    if not (hasattr(images, "shape") and hasattr(images, "dtype")):
        images = _np.array(images)
    rank = len(images.shape)
    if rank not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise ValueError(f"ops.image.{op}: argument `{name}` must have rank {expected} "
                         f"(a single image or a batch). Received: {name}.shape="
                         f"{tuple(images.shape)}")
    single = len(ranks) > 1 and rank == min(ranks)
    x = _np.expand_dims(images, 0) if single else images
    if fmt == "channels_first":
        x = _np.moveaxis(x, 1, -1)

    def restore(y):
        if fmt == "channels_first":
            y = _np.moveaxis(y, -1, 1)
        return _np.squeeze(y, 0) if single else y

    return x, restore


def float_images(x):
    """Float images (ints compute in floatx), as the color and filter ops need."""
    dtype = _core.standardize_dtype(x.dtype)
    if dtype.startswith(("float", "bfloat")):
        return x
    return _core.cast(x, config.floatx())


def pair(value, name: str, op: str) -> tuple:
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return tuple(value)
    raise ValueError(f"ops.image.{op}: argument `{name}` must be an int or a pair. "
                     f"Received: {name}={value!r}")
