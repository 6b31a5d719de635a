"""JAX kernels the composite NumPy ops cannot build from basic ones: bitwise ops, special
functions, complex parts, FFTs, sorted search and segment min/prod."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

from keraslite.backends.common import dtypes as dt


def _a(x):
    return jnp.asarray(x)


# -- bitwise (ints and bools) -----------------------------------------------------------------
def bitwise_and(x, y):
    return jnp.bitwise_and(_a(x), _a(y))


def bitwise_or(x, y):
    return jnp.bitwise_or(_a(x), _a(y))


def bitwise_xor(x, y):
    return jnp.bitwise_xor(_a(x), _a(y))


def bitwise_invert(x):
    return jnp.invert(_a(x))


def left_shift(x, y):
    return jnp.left_shift(_a(x), _a(y))


def right_shift(x, y):
    return jnp.right_shift(_a(x), _a(y))


# -- special functions ------------------------------------------------------------------------
def erfc(x):
    return jsp.erfc(_a(x))


def i0(x):
    return jsp.i0(_a(x))


def nextafter(x1, x2):
    return jnp.nextafter(_a(x1), _a(x2))


# -- complex numbers --------------------------------------------------------------------------
def complex(real, imag):
    return jax.lax.complex(_a(real), _a(imag))


def real(x):
    return jnp.real(_a(x))


def imag(x):
    return jnp.imag(_a(x))


def conj(x):
    return jnp.conj(_a(x))


def angle(x):
    return jnp.angle(_a(x))


def is_complex(x) -> bool:
    return jnp.iscomplexobj(x)


# -- Fourier transforms over the last axes (complex in, complex out) --------------------------
def fft(x):
    return jnp.fft.fft(_a(x))


def fft2(x):
    return jnp.fft.fft2(_a(x))


def ifft2(x):
    return jnp.fft.ifft2(_a(x))


def rfft(x, n):
    return jnp.fft.rfft(_a(x), n=n)


def irfft(x, n):
    return jnp.fft.irfft(_a(x), n=n)


# -- sorted search, segments ------------------------------------------------------------------
def searchsorted(sorted_sequence, values, side="left"):
    """Insertion points of ``values`` into the 1-D ``sorted_sequence`` (int32)."""
    return jnp.searchsorted(_a(sorted_sequence), _a(values), side=side).astype("int32")


def segment_min(data, segment_ids, num_segments):
    return jax.ops.segment_min(_a(data), _a(segment_ids), num_segments=num_segments)


def segment_prod(data, segment_ids, num_segments):
    return jax.ops.segment_prod(_a(data), _a(segment_ids), num_segments=num_segments)


def bincount(x, weights, length):
    return jnp.bincount(_a(x), weights=None if weights is None else _a(weights), length=length)


def bitcast(x, dtype):
    """The bits of ``x`` read as ``dtype`` (same item size)."""
    return jax.lax.bitcast_convert_type(_a(x), dt.standardize(dtype))
