"""Tiny pytree helpers for nested lists, tuples and dicts, independent of any backend."""
from __future__ import annotations

from typing import Any, Callable

_LEAF = object()


def flatten(structure: Any) -> list:
    """Leaves of a nested list/tuple/dict structure, dict values in sorted-key order."""
    out: list = []
    _flatten_into(structure, out)
    return out


def _flatten_into(s, out):
    if isinstance(s, (list, tuple)):
        for item in s:
            _flatten_into(item, out)
    elif isinstance(s, dict):
        for key in sorted(s):
            _flatten_into(s[key], out)
    else:
        out.append(s)


def pack_as(structure: Any, leaves: list) -> Any:
    """Rebuilds ``structure`` with the given leaves (inverse of ``flatten``)."""
    it = iter(leaves)
    result = _pack(structure, it)
    return result


def _pack(s, it):
    if isinstance(s, list):
        return [_pack(item, it) for item in s]
    if isinstance(s, tuple):
        items = [_pack(item, it) for item in s]
        return type(s)(*items) if hasattr(s, "_fields") else tuple(items)
    if isinstance(s, dict):
        packed = {key: _pack(s[key], it) for key in sorted(s)}
        return {key: packed[key] for key in s}
    return next(it)


def map_structure(fn: Callable, structure: Any) -> Any:
    return pack_as(structure, [fn(leaf) for leaf in flatten(structure)])


def is_nested(s: Any) -> bool:
    return isinstance(s, (list, tuple, dict))


def describe(structure: Any) -> str:
    """A short text of a structure's shapes and types, for error messages (never values)."""
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in structure.items()) + "}"
    if isinstance(structure, (list, tuple)):
        inner = ", ".join(describe(v) for v in structure)
        return f"[{inner}]" if isinstance(structure, list) else f"({inner})"
    shape = getattr(structure, "shape", None)
    if shape is not None:
        return f"{type(structure).__name__}(shape={tuple(shape)}, dtype={getattr(structure, 'dtype', '?')})"
    return type(structure).__name__
