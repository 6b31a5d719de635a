"""Keras arguments keraslite accepts only at their default value.

A Keras script passes many arguments at their defaults (``Dense(..., lora_rank=None)``,
``BatchNormalization(renorm=False)``); keraslite accepts those so the script runs, and refuses any
other value with an error naming the argument, rather than silently ignoring it.
"""
from __future__ import annotations

from typing import Any


def require_default(owner: str, name: str, value: Any, default: Any = None) -> None:
    """Raise ValueError unless ``value`` is Keras's ``default`` for ``owner``'s ``name``."""
    if value is default:
        return
    # ``==`` only between values of the same type, so that e.g. 0 is not taken for False.
    if type(value) is type(default) and value == default:
        return
    raise ValueError(f"{owner}: argument `{name}` is not supported by keraslite; "
                     f"received {name}={value!r} (only the default {default!r} is accepted).")
