"""Bitwise and integer ops (``keraslite.ops.numpy``): and/or/xor/invert, shifts, gcd, lcm."""
from __future__ import annotations

from keraslite.backends import core as _core
from keraslite.backends import extra_math as _xm
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _int(x, name, op):
    x = _np.array(x) if not hasattr(x, "dtype") else x
    dtype = _core.standardize_dtype(x.dtype)
    if not (dtype.startswith(("int", "uint")) or dtype == "bool"):
        raise TypeError(f"ops.{op}: argument `{name}` must hold ints or bools. "
                        f"Received: dtype={dtype}")
    return x


@keras_op
def bitwise_and(x, y):
    return _xm.bitwise_and(_int(x, "x", "bitwise_and"), _int(y, "y", "bitwise_and"))


@keras_op
def bitwise_or(x, y):
    return _xm.bitwise_or(_int(x, "x", "bitwise_or"), _int(y, "y", "bitwise_or"))


@keras_op
def bitwise_xor(x, y):
    return _xm.bitwise_xor(_int(x, "x", "bitwise_xor"), _int(y, "y", "bitwise_xor"))


@keras_op
def bitwise_invert(x):
    return _xm.bitwise_invert(_int(x, "x", "bitwise_invert"))


bitwise_not = bitwise_invert


@keras_op
def bitwise_left_shift(x, y):
    return _xm.left_shift(_int(x, "x", "left_shift"), _int(y, "y", "left_shift"))


@keras_op
def bitwise_right_shift(x, y):
    return _xm.right_shift(_int(x, "x", "right_shift"), _int(y, "y", "right_shift"))


left_shift, right_shift = bitwise_left_shift, bitwise_right_shift


@keras_op
def gcd(x1, x2):
    """Greatest common divisor, elementwise (Euclid's algorithm, non-negative)."""
    a = _np.abs(_int(x1, "x1", "gcd"))
    b = _np.abs(_int(x2, "x2", "gcd"))
    a, b = _np.add(a, _np.zeros_like(b)), _np.add(b, _np.zeros_like(a))

    def body(pair):
        a, b = pair
        nonzero = _np.not_equal(b, 0)
        safe = _np.where(nonzero, b, _np.ones_like(b))
        return (_np.where(nonzero, b, a), _np.where(nonzero, _np.mod(a, safe), b))

    a, _ = _core.while_loop(lambda pair: _np.any(_np.not_equal(pair[1], 0)), body, (a, b))
    return a


@keras_op
def lcm(x1, x2):
    """Least common multiple, elementwise (0 where either is 0)."""
    a, b = _np.abs(_int(x1, "x1", "lcm")), _np.abs(_int(x2, "x2", "lcm"))
    g = gcd.raw(a, b)
    safe = _np.where(_np.equal(g, 0), _np.ones_like(g), g)
    return _np.where(_np.equal(g, 0), _np.zeros_like(g), _np.multiply(_np.floor_divide(a, safe), b))


__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert", "bitwise_not",
           "bitwise_left_shift", "bitwise_right_shift", "left_shift", "right_shift", "gcd", "lcm"]
