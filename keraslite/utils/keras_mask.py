"""The ``_keras_mask`` a layer's output carries after an outermost call, as in Keras 3.

Inside one outermost call masks travel in a table beside the tensors (layers/call_context.py).
What leaves the outermost call carries its mask as the attribute ``_keras_mask`` (Keras's name,
which Keras's guides print), so a layer called later on that output receives it, and losses and
metrics see the mask of ``y_pred`` (padded time steps count for nothing). A tensor type that takes
no attributes keeps its mask in a table keyed by the tensor's id, cleared when it is collected.
"""
from __future__ import annotations

import weakref
from typing import Any

_ATTRIBUTE = "_keras_mask"
_by_id: dict[int, Any] = {}


def _forget(key: int) -> None:
    _by_id.pop(key, None)


def set_keras_mask(x: Any, mask: Any) -> None:
    """Attaches ``mask`` to ``x`` (``None`` removes it)."""
    try:
        setattr(x, _ATTRIBUTE, mask)
        return
    except (AttributeError, TypeError):
        pass
    key = id(x)
    if mask is None:
        _by_id.pop(key, None)
        return
    try:
        weakref.finalize(x, _forget, key)
    except TypeError:
        return  # neither attributes nor weak references: such a value carries no mask
    _by_id[key] = mask


def get_keras_mask(x: Any) -> Any:
    """The mask attached to ``x``, or None."""
    mask = getattr(x, _ATTRIBUTE, None)
    if mask is None and _by_id:
        mask = _by_id.get(id(x))
    return mask
