"""Reading and setting a model optimizer's learning rate from a callback."""
from __future__ import annotations

import numpy as np

from keraslite import ops


def _optimizer(owner: str, model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"{owner} needs a compiled model whose optimizer has a learning rate. "
            f"Received: optimizer={optimizer!r}"
        )
    return optimizer


def get_learning_rate(owner: str, model) -> float:
    """The optimizer's current learning rate as a Python float (a schedule's current value)."""
    value = _optimizer(owner, model).learning_rate
    return float(np.asarray(ops.convert_to_numpy(value)))


def set_learning_rate(owner: str, model, value: float) -> None:
    """Assigns the learning-rate Variable; the compiled step reads it at its next call."""
    _optimizer(owner, model).learning_rate = float(value)
