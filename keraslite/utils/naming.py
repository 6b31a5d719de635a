"""Unique default names ("dense", "dense_1", ...) like Keras, reset by ``clear_session``."""
from __future__ import annotations

import functools
import re

_counts: dict[str, int] = {}


@functools.lru_cache(maxsize=1024)  # class names, converted on every walk of a model's state
def to_snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return name.replace("2_d", "2d").replace("1_d", "1d").replace("3_d", "3d")


def unique_name(prefix: str) -> str:
    count = _counts.get(prefix, 0)
    _counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset() -> None:
    _counts.clear()
