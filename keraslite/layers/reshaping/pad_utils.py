"""Normalizes the ``padding``/``cropping`` arguments of the padding and cropping layers."""
from __future__ import annotations

from keraslite.layers import arg_utils


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def normalize_pairs(layer_cls: str, arg: str, value, rank: int):
    """``int``, ``rank`` ints (symmetric) or ``rank`` pairs -> ``rank`` (before, after) pairs.

    For ``rank == 1`` a single pair ``(before, after)`` is also accepted (as in Keras).
    """
    expected = (f"an int, a tuple of {rank} ints, or a tuple of {rank} tuples of 2 "
                f"non-negative ints" if rank > 1 else "an int or a tuple of 2 non-negative ints")
    if _is_int(value):
        out = ((value, value),) * rank
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise arg_utils.invalid(layer_cls, arg, expected, value) from None
        if rank == 1 and len(items) == 2 and all(_is_int(v) for v in items):
            out = (items,)
        elif rank > 1 and len(items) == rank and all(_is_int(v) for v in items):
            out = tuple((v, v) for v in items)
        elif len(items) == rank and all(
                isinstance(p, (list, tuple)) and len(p) == 2 and all(_is_int(v) for v in p)
                for p in items):
            out = tuple(tuple(p) for p in items)
        else:
            raise arg_utils.invalid(layer_cls, arg, expected, value)
    if any(v < 0 for p in out for v in p):
        raise arg_utils.invalid(layer_cls, arg, expected, value)
    return tuple((int(a), int(b)) for a, b in out)


def spatial_axes(data_format: str, rank: int):
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))
