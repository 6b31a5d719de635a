"""Global settings: the backend (read once at import), floatx, epsilon, image data format."""
from __future__ import annotations

import os

VALID_BACKENDS = ("jax", "tensorflow")


def _read_backend() -> str:
    name = os.environ.get("KERASLITE_BACKEND", "jax").strip().lower() or "jax"
    if name not in VALID_BACKENDS:
        raise ValueError(
            f"KERASLITE_BACKEND must be one of {', '.join(VALID_BACKENDS)}. "
            f"Received: KERASLITE_BACKEND={os.environ.get('KERASLITE_BACKEND')!r}"
        )
    return name


BACKEND = _read_backend()

_settings = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def backend() -> str:
    """The name of the active backend: "jax" or "tensorflow"."""
    return BACKEND


def floatx() -> str:
    return _settings["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"floatx must be a float dtype name. Received: {value!r}")
    _settings["floatx"] = value


def epsilon() -> float:
    return _settings["epsilon"]


def set_epsilon(value: float) -> None:
    _settings["epsilon"] = float(value)


def image_data_format() -> str:
    return _settings["image_data_format"]


def set_image_data_format(value: str) -> None:
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"image_data_format must be 'channels_last' or 'channels_first'. Received: {value!r}"
        )
    _settings["image_data_format"] = value
