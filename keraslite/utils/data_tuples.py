"""``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``: the ``(x, y, sample_weight)``
tuples a custom ``train_step`` receives, with Keras's conventions."""
from __future__ import annotations

from typing import Any


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``; a lone non-sequence ``x`` as is.

    A lone list/tuple ``x`` is wrapped in a 1-tuple, so it is not mistaken for ``(x, y)``.
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch, missing parts as None."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) in (1, 2, 3):
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError("Data must be x, (x,), (x, y) or (x, y, sample_weight): a tuple of 1 to 3 "
                     f"elements. Received: a tuple of {len(data)} elements.")
