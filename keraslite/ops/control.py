"""Functional control flow and casts (``keras.ops`` names): map, switch, vectorized_map,
associative_scan, custom_gradient, vectorize, saturate_cast, view, segment_min/prod and
``rearrange`` (einops-style axis patterns)."""
from __future__ import annotations

import re

import numpy as np

from keraslite.backends import control as _control
from keraslite.backends import core as _core
from keraslite.backends import extra_math as _xm
from keraslite.backends import numpy as _np
from keraslite.backends.common import dtypes as _dt
from keraslite.ops.dispatch import keras_op


def map(f, xs):
    """``f`` over the leading axis of ``xs`` (a tensor or a structure of them)."""
    return _control.map(f, xs)


def switch(index, branches, *operands):
    """``branches[index](*operands)``; ``index`` is clamped into range, as JAX does."""
    if not branches:
        raise ValueError("ops.switch: argument `branches` must hold at least one function.")
    return _control.switch(index, list(branches), *operands)


def vectorized_map(function, elements):
    return _control.vectorized_map(function, elements)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of an associative ``f`` along ``axis``."""
    return _control.associative_scan(f, elems, reverse=reverse, axis=axis)


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(y, grad)``; ``grad(upstream)`` gives the input
    gradients."""
    return _control.custom_gradient(f)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` mapped over the leading axis of its array arguments (elementwise functions
    written for one element)."""
    if signature is not None:
        raise ValueError("ops.vectorize: argument `signature` supports only None here. "
                         f"Received: signature={signature!r}")
    excluded = set(excluded or ())

    def wrapped(*args):
        args = [a if i in excluded else _np.array(a) if not hasattr(a, "shape") else a
                for i, a in enumerate(args)]
        shape = np.broadcast_shapes(*[tuple(a.shape) for i, a in enumerate(args)
                                      if i not in excluded])
        flat = [a if i in excluded else _np.reshape(_np.broadcast_to(a, shape), (-1,))
                for i, a in enumerate(args)]
        out = vectorized_map(lambda xs: pyfunc(*[xs[i] if i not in excluded else flat[i]
                                                 for i in range(len(flat))]),
                             [f if i not in excluded else _np.zeros((1,)) for i, f in
                              enumerate(flat)])
        return _np.reshape(out, shape)

    return wrapped


_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767),
           "uint16": (0, 65535), "int32": (-2 ** 31, 2 ** 31 - 1), "uint32": (0, 2 ** 32 - 1)}


@keras_op
def saturate_cast(x, dtype):
    """``x`` cast to ``dtype``, values clipped to its range first (no wrap-around)."""
    dtype = _dt.standardize(dtype)
    x = _np.array(x) if not hasattr(x, "dtype") else x
    if dtype in _RANGES:
        lo, hi = _RANGES[dtype]
        src = _core.standardize_dtype(x.dtype)
        if src.startswith("float"):
            # float32 cannot hold 2**31 - 1: clip to the largest float below it
            hi_f = float(np.nextafter(np.float32(hi), np.float32(0))) if hi > 2 ** 24 else hi
            x = _np.clip(x, float(lo), hi_f)
        elif src != "bool":
            x = _np.clip(x, lo, hi)
    return _core.cast(x, dtype)


@keras_op
def view(x, dtype=None):
    """The bits of ``x`` read as ``dtype`` (same item size)."""
    x = _np.array(x) if not hasattr(x, "dtype") else x
    if dtype is None:
        return x
    src, dst = _core.standardize_dtype(x.dtype), _dt.standardize(dtype)
    if np.dtype(src).itemsize != np.dtype(dst).itemsize:
        raise ValueError(f"ops.view: `dtype` must have the item size of x's dtype ({src}). "
                         f"Received: dtype={dst}")
    return _xm.bitcast(x, dst)


def _segments(data, segment_ids, num_segments, op):
    if num_segments is None:
        try:
            num_segments = int(np.max(_core.convert_to_numpy(segment_ids))) + 1
        except Exception as error:
            raise ValueError(f"ops.{op}: pass `num_segments` inside compiled functions.") \
                from error
    return num_segments


@keras_op
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    n = _segments(data, segment_ids, num_segments, "segment_min")
    return _xm.segment_min(data, segment_ids, n)


@keras_op
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    n = _segments(data, segment_ids, num_segments, "segment_prod")
    return _xm.segment_prod(data, segment_ids, n)


def _groups(side: str):
    tokens = re.findall(r"\(|\)|[A-Za-z_][A-Za-z_0-9]*|\S", side)
    groups, current = [], None
    for t in tokens:
        if t == "(":
            current = []
        elif t == ")":
            groups.append(tuple(current))
            current = None
        elif re.match(r"[A-Za-z_]", t):
            (current if current is not None else groups).append(t if current is not None
                                                                else (t,))
        else:
            raise ValueError(f"ops.rearrange: unsupported token {t!r} in the pattern")
    return groups


@keras_op
def rearrange(tensor, pattern, **axes_lengths):
    """Axes regrouped and reordered by an einops pattern like ``"b (h w) c -> b h w c"``."""
    if "->" not in pattern:
        raise ValueError(f"ops.rearrange: argument `pattern` must contain '->'. "
                         f"Received: {pattern!r}")
    left, right = (_groups(s) for s in pattern.split("->"))
    x = _np.array(tensor) if not hasattr(tensor, "shape") else tensor
    if len(left) != len(x.shape):
        raise ValueError(f"ops.rearrange: the pattern's left side has {len(left)} axes, the "
                         f"tensor {len(x.shape)}. Received: shape={tuple(x.shape)}")
    sizes = dict(axes_lengths)
    for group, dim in zip(left, x.shape):
        unknown = [n for n in group if n not in sizes]
        known = int(np.prod([sizes[n] for n in group if n in sizes]))
        if len(unknown) > 1:
            raise ValueError(f"ops.rearrange: give the sizes of {unknown[1:]} in axes_lengths")
        if unknown:
            sizes[unknown[0]] = dim // known
    names = [n for g in left for n in g]
    if sorted(names) != sorted(n for g in right for n in g):
        raise ValueError(f"ops.rearrange: both sides must name the same axes. "
                         f"Received: {pattern!r}")
    x = _np.reshape(x, tuple(sizes[n] for n in names))
    x = _np.transpose(x, [names.index(n) for g in right for n in g])
    return _np.reshape(x, tuple(int(np.prod([sizes[n] for n in g])) for g in right))


__all__ = ["map", "switch", "vectorized_map", "associative_scan", "custom_gradient",
           "vectorize", "saturate_cast", "view", "segment_min", "segment_prod", "rearrange"]
