"""Image file helpers with Keras's names, through Pillow: load_img, img_to_array, array_to_img,
save_img. A file that is not an image is named in the error."""
from __future__ import annotations

import io
import os

import numpy as np

from keraslite import config

_MAX_IMAGE_FILE_BYTES = 512 * 2**20
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil():
    """The ``PIL.Image`` module, or an ImportError saying how to install Pillow."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("keraslite's image utilities read and write images with Pillow, which "
                          "is not installed. Install it with `pip install pillow`.") from error
    return Image


def _data_format(data_format):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("data_format must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Loads an image file (or a ``BytesIO``) as a PIL image.

    Args:
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to, or None.
        interpolation: Resampling filter name (``"nearest"``, ``"bilinear"``, ...).
        keep_aspect_ratio: Crop the centre to the target's aspect ratio before resizing.
    """
    Image = pil()
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError("color_mode must be 'grayscale', 'rgb' or 'rgba'. Received: "
                         f"color_mode={color_mode!r}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {_INTERPOLATIONS}. Received: "
                         f"interpolation={interpolation!r}")
    name = repr(path) if isinstance(path, io.BytesIO) else repr(os.fspath(path))
    if not isinstance(path, io.BytesIO):
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ValueError(f"load_img: {name} is not a regular file.")
        if os.path.getsize(path) > _MAX_IMAGE_FILE_BYTES:
            raise ValueError(f"load_img: {name} is larger than {_MAX_IMAGE_FILE_BYTES} bytes.")
    try:
        with Image.open(path) as opened:
            opened.load()
            img = opened.copy()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(f"The file {name} is not an image Pillow can read: {error}") from None
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}[color_mode]
    if img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        height, width = (int(v) for v in target_size)
        if keep_aspect_ratio:
            w, h = img.size
            crop_w, crop_h = min(w, h * width // height), min(h, w * height // width)
            left, top = (w - crop_w) // 2, (h - crop_h) // 2
            img = img.crop((left, top, left + crop_w, top + crop_h))
        if img.size != (width, height):
            resample = getattr(Image.Resampling, interpolation.upper())
            img = img.resize((width, height), resample)
    return img


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """A PIL image as a 3D float array (``floatx()`` unless ``dtype``), channels as configured."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array expects an image. Received an array of shape {x.shape}")
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """A 3D array (1, 3 or 4 channels) as a PIL image; ``scale`` maps its range to 0..255."""
    Image = pil()
    data_format = _data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError("array_to_img expects a 3D array (height, width, channels). Received: "
                         f"shape={x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError(f"array_to_img supports 1, 3 or 4 channels. Received: {channels}")
    x = x.astype("uint8")
    if channels == 1:
        return Image.fromarray(x[:, :, 0], "L")
    return Image.fromarray(x, "RGB" if channels == 3 else "RGBA")


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Writes the array ``x`` as an image file (format from ``file_format`` or the extension),
    atomically."""
    from keraslite.saving.atomic_io import atomic_writer

    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpeg" or str(path).lower().endswith(
            (".jpg", ".jpeg"))):
        img = img.convert("RGB")  # JPEG has no alpha
    file_format = file_format or os.path.splitext(os.fspath(path))[1][1:].lower() or "png"
    file_format = {"jpg": "jpeg"}.get(file_format, file_format)
    with atomic_writer(path) as f:
        img.save(f, format=file_format, **kwargs)
