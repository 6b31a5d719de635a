"""Domains of the keyword arguments that keraslite's loss and metric functions take.

``LossFunctionWrapper`` and ``MeanMetricWrapper`` check their keyword arguments against this one
table when constructed, so ``Huber(delta=-1.0)`` is a ValueError at once instead of a model that
trains to a negative loss, and a string ``label_smoothing`` is refused before anything compiles.
"""
from __future__ import annotations

import math
from typing import Any

# name -> (low, high, low inclusive, high inclusive); None: unbounded on that side.
_NUMBER_DOMAINS = {
    "delta": (0.0, None, False, False),           # Huber: a positive threshold
    "label_smoothing": (0.0, 1.0, True, True),
    "gamma": (0.0, None, True, False),            # focal: the focusing exponent
    "alpha": (0.0, 1.0, True, True),              # focal/Tversky: a weight between classes/errors
    "beta": (0.0, 1.0, True, True),
    "threshold": (0.0, 1.0, True, True),          # a probability cut-off
}
_INT_DOMAINS = {"k": 1}                           # top-k: at least one class
_BOOLS = ("from_logits", "apply_class_balancing", "from_sorted_ids")


def check_arguments(owner: str, kwargs: dict[str, Any]) -> None:
    """Raises a ValueError/TypeError naming ``owner`` and the argument when a value is outside
    its domain. Arguments not in the table are left to the function."""
    for name, value in kwargs.items():
        if name in _BOOLS:
            if not isinstance(value, bool) and type(value).__name__ != "bool_":
                raise TypeError(f"{owner}: `{name}` must be True or False. "
                                f"Received: {name}={value!r}")
        elif name in _INT_DOMAINS:
            if isinstance(value, bool) or not isinstance(value, int) or value < _INT_DOMAINS[name]:
                raise ValueError(f"{owner}: `{name}` must be an int >= {_INT_DOMAINS[name]}. "
                                 f"Received: {name}={value!r}")
        elif name in _NUMBER_DOMAINS and value is not None:
            _check_number(owner, name, value, *_NUMBER_DOMAINS[name])
        elif name in ("axis", "ignore_class") and value is not None:
            axes = value if isinstance(value, (list, tuple)) else [value]
            if not axes or any(isinstance(a, bool) or not isinstance(a, int) for a in axes):
                raise TypeError(f"{owner}: `{name}` must be an int"
                                f"{' or a tuple of ints' if name == 'axis' else ''} or None. "
                                f"Received: {name}={value!r}")


def _check_number(owner, name, value, low, high, low_inclusive, high_inclusive):
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, (int, float)) and not (
            hasattr(value, "__float__") and getattr(value, "ndim", 0) == 0):
        raise TypeError(f"{owner}: `{name}` must be a number. Received: {name}={value!r}")
    number = float(value)
    ok = math.isfinite(number)
    if ok and low is not None:
        ok = number >= low if low_inclusive else number > low
    if ok and high is not None:
        ok = number <= high if high_inclusive else number < high
    if not ok:
        left = "unbounded" if low is None else f"{'[' if low_inclusive else '('}{low}"
        right = "" if high is None else f"{high}{']' if high_inclusive else ')'}"
        interval = f"{left}, {right or 'inf)'}"
        raise ValueError(f"{owner}: `{name}` must be a finite number in {interval}. "
                         f"Received: {name}={value!r}")
