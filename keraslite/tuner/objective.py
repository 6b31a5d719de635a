"""Objective: the metric a search optimizes and its direction (KerasTuner's ``Objective``)."""
from __future__ import annotations

import math
from typing import Any, Sequence, Union

_MAX_WORDS = ("accuracy", "acc", "auc", "precision", "recall", "f1", "score", "iou", "r2")
_MIN_WORDS = ("loss", "error", "mse", "mae", "mape", "msle", "crossentropy", "hinge",
              "divergence", "cosine_similarity_loss")


class Objective:
    """A metric name and ``direction`` ("min" or "max")."""

    def __init__(self, name: str, direction: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Objective name must be a non-empty string. Received: {name!r}")
        direction = {"minimize": "min", "maximize": "max"}.get(direction, direction)
        if direction not in ("min", "max"):
            raise ValueError(f"Objective '{name}': direction must be 'min' or 'max'. "
                             f"Received: direction={direction!r}")
        self.name = name
        self.direction = direction

    @property
    def optuna_direction(self) -> str:
        return "maximize" if self.direction == "max" else "minimize"

    def better(self, a: float, b: float) -> bool:
        """True when ``a`` is strictly better than ``b``."""
        return a > b if self.direction == "max" else a < b

    def best_of(self, values: Sequence[float]) -> float:
        """The best finite value of a metric's history (nan when there is none)."""
        finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        if not finite:
            return math.nan
        return max(finite) if self.direction == "max" else min(finite)

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Objective) and (self.name, self.direction)
                == (other.name, other.direction))

    def __repr__(self) -> str:
        return f"Objective(name={self.name!r}, direction={self.direction!r})"


def infer_direction(name: str) -> str:
    """'max' for accuracy-like names, 'min' for loss/error-like names (``val_`` is ignored)."""
    base = name[4:] if name.startswith("val_") else name
    base = base.lower()
    if any(base == w or base.endswith("_" + w) or base.endswith(w) for w in _MIN_WORDS):
        return "min"
    if any(base == w or base.endswith("_" + w) or w in base.split("_") for w in _MAX_WORDS):
        return "max"
    raise ValueError(
        f"Cannot infer whether the objective '{name}' is to be minimized or maximized. Pass "
        f"Objective('{name}', direction='min') or direction='max'.")


def to_objectives(objective: Union[str, Objective, Sequence, None]) -> list:
    """A list of Objectives from a name, an Objective or a list of either (None: val_loss)."""
    if objective is None:
        objective = "val_loss"
    items = objective if isinstance(objective, (list, tuple)) else [objective]
    if not items:
        raise ValueError("objective must name at least one metric. Received an empty list.")
    out = []
    for item in items:
        if isinstance(item, Objective):
            out.append(item)
        elif isinstance(item, str):
            out.append(Objective(item, infer_direction(item)))
        else:
            raise TypeError("objective must be a metric name, an Objective or a list of them. "
                            f"Received: {type(item).__name__}")
    names = [o.name for o in out]
    if len(set(names)) != len(names):
        raise ValueError(f"objective names must be distinct. Received: {names}")
    return out
