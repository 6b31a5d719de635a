"""Values quoted in error messages, cut to a readable length.

An error that echoes what it received must not become a wall of text: ``Dense(units=<a list of
1000 numbers>)`` once produced a 3 KB message. Every error that shows a received value goes
through ``short_repr``.
"""
from __future__ import annotations

from typing import Any

MAX_REPR_CHARS = 80


def short_repr(value: Any, limit: int = MAX_REPR_CHARS) -> str:
    """``repr(value)``, cut to ``limit`` characters with the total length noted when longer.

    Arrays and other objects with a shape are described by type, shape and dtype instead."""
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None and not isinstance(value, (str, bytes)):
        try:
            return f"<{type(value).__name__} shape={tuple(shape)} dtype={dtype}>"
        except TypeError:
            pass
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the error being reported
        text = f"<{type(value).__name__}>"
    if len(text) <= limit:
        return text
    size = f" ({len(value)} items)" if isinstance(value, (list, tuple, dict, set)) else ""
    return f"{text[: max(limit - 20, 10)]}...{size}"
