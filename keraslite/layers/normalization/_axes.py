"""Axis arguments shared by the normalization layers."""
from __future__ import annotations

import numbers

from keraslite.layers import arg_utils


def check_axis_arg(cls, axis):
    """An int, or a non-empty list/tuple of ints -> int or list (lists survive JSON)."""
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axis):
        return [int(a) for a in axis]
    raise arg_utils.invalid(cls, "axis", "an int or a non-empty list of ints", axis)


def resolve_axes(layer, axis, ndim, input_shape):
    """Non-negative, sorted axes for an input of rank ``ndim``; a ValueError names the layer,
    the axis and the shape when an axis does not exist or repeats."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        pos = a + ndim if a < 0 else a
        if not 0 <= pos < ndim or pos in out:
            raise ValueError(
                f"Layer '{layer.name}' normalizes along axis={axis}, which is invalid for an "
                f"input of rank {ndim}. Received: input_shape={tuple(input_shape)}")
        out.append(pos)
    return sorted(out)


def low_precision(dtype):
    return dtype in ("float16", "bfloat16")
