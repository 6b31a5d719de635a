"""Argument checks shared by the built-in callbacks, with errors that name the callback."""
from __future__ import annotations

import numbers

MODES = ("auto", "min", "max")


def check_int(owner: str, name: str, value, minimum: int = 0) -> int:
    """``value`` as an int >= ``minimum``; TypeError for a non-integer, ValueError if too small."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: `{name}` must be an integer >= {minimum}. Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    if value < minimum:
        raise ValueError(
            f"{owner}: `{name}` must be an integer >= {minimum}. Received: {name}={value!r}"
        )
    return int(value)


def check_number(owner: str, name: str, value, allow_none: bool = False):
    """``value`` as a float (or None when allowed); TypeError for anything else."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        expected = "a number or None" if allow_none else "a number"
        raise TypeError(
            f"{owner}: `{name}` must be {expected}. Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    return float(value)


def check_mode(owner: str, mode) -> str:
    """``mode`` if it is one of 'auto', 'min', 'max'; ValueError otherwise."""
    if mode not in MODES:
        raise ValueError(
            f"{owner}: `mode` must be one of {', '.join(repr(m) for m in MODES)}. "
            f"Received: mode={mode!r}"
        )
    return mode


def check_update_freq(owner: str, name: str, value):
    """``"epoch"`` or a positive int of batches (``"batch"`` means 1); ValueError otherwise."""
    if value == "batch":
        return 1
    if value == "epoch":
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0:
        return int(value)
    raise ValueError(
        f"{owner}: `{name}` must be 'epoch' or a positive integer number of batches. "
        f"Received: {name}={value!r}"
    )
