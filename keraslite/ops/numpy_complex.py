"""Complex-number ops (``keraslite.ops.numpy``): parts, conjugate, angle, views, polar."""
from __future__ import annotations

from keraslite.backends import core as _core
from keraslite.backends import extra_math as _xm
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _t(x):
    return _np.array(x) if not hasattr(x, "dtype") else x


@keras_op
def real(x):
    return _xm.real(_t(x))


@keras_op
def imag(x):
    return _xm.imag(_t(x))


@keras_op
def conj(x):
    return _xm.conj(_t(x))


conjugate = conj


@keras_op
def angle(x):
    """The argument of each complex value in radians (pi for negative reals, else 0)."""
    x = _t(x)
    if not _xm.is_complex(x) and not _core.standardize_dtype(x.dtype).startswith("float"):
        x = _np.multiply(x, 1.0)
    return _xm.angle(x)


@keras_op
def isreal(x):
    """Whether each imaginary part is 0 (always True for real dtypes)."""
    x = _t(x)
    if _xm.is_complex(x):
        return _np.equal(_xm.imag(x), 0)
    return _np.ones_like(x, "bool")


@keras_op
def view_as_complex(x):
    """A (..., 2) real array of (real, imag) pairs as complex values (...)."""
    x = _t(x)
    if x.shape[-1] != 2:
        raise ValueError("ops.view_as_complex: the last axis of `x` must have size 2 (real, "
                         f"imag). Received: x.shape={tuple(x.shape)}")
    if not _core.standardize_dtype(x.dtype).startswith("float"):
        x = _np.multiply(x, 1.0)
    return _xm.complex(x[..., 0], x[..., 1])


@keras_op
def view_as_real(x):
    """Complex values (...) as a (..., 2) array of (real, imag)."""
    x = _t(x)
    if not _xm.is_complex(x):
        raise ValueError(f"ops.view_as_real: argument `x` must be complex. "
                         f"Received: dtype={_core.standardize_dtype(x.dtype)}")
    return _np.stack([_xm.real(x), _xm.imag(x)], -1)


@keras_op
def polar(abs_, angle):
    """``abs_ * (cos(angle) + i sin(angle))``."""
    a, t = _np.multiply(_t(abs_), 1.0), _np.multiply(_t(angle), 1.0)
    return _xm.complex(_np.multiply(a, _np.cos(t)), _np.multiply(a, _np.sin(t)))


__all__ = ["real", "imag", "conj", "conjugate", "angle", "isreal", "view_as_complex",
           "view_as_real", "polar"]
