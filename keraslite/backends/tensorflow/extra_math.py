"""TensorFlow kernels the composite NumPy ops cannot build from basic ones: bitwise ops,
special functions, complex parts, FFTs, sorted search and segment min/prod."""
from __future__ import annotations

import tensorflow as tf

from keraslite.backends.common import dtypes as dt
from keraslite.backends.tensorflow.core import convert_to_tensor


def _a(x):
    return convert_to_tensor(x)


def _pair(x, y):
    target = dt.result_type(x, y)  # TF needs equal dtypes: promote as keraslite does
    return tf.cast(_a(x), target), tf.cast(_a(y), target)


# -- bitwise (ints and bools) -----------------------------------------------------------------
def _bitwise(int_op, bool_op, x, y):
    x, y = _pair(x, y)
    return bool_op(x, y) if x.dtype == tf.bool else int_op(x, y)


def bitwise_and(x, y):
    return _bitwise(tf.bitwise.bitwise_and, tf.logical_and, x, y)


def bitwise_or(x, y):
    return _bitwise(tf.bitwise.bitwise_or, tf.logical_or, x, y)


def bitwise_xor(x, y):
    return _bitwise(tf.bitwise.bitwise_xor, tf.math.logical_xor, x, y)


def bitwise_invert(x):
    x = _a(x)
    return tf.logical_not(x) if x.dtype == tf.bool else tf.bitwise.invert(x)


def left_shift(x, y):
    return tf.bitwise.left_shift(*_pair(x, y))


def right_shift(x, y):
    return tf.bitwise.right_shift(*_pair(x, y))


# -- special functions ------------------------------------------------------------------------
def erfc(x):
    return tf.math.erfc(_a(x))


def i0(x):
    return tf.math.bessel_i0(_a(x))


def nextafter(x1, x2):
    return tf.math.nextafter(*_pair(x1, x2))


# -- complex numbers --------------------------------------------------------------------------
def complex(real, imag):
    return tf.complex(*_pair(real, imag))


def real(x):
    return tf.math.real(_a(x))


def imag(x):
    return tf.math.imag(_a(x))


def conj(x):
    return tf.math.conj(_a(x))


def angle(x):
    x = _a(x)
    if x.dtype.is_complex:
        return tf.math.angle(x)
    # NumPy: pi for negative reals, 0 otherwise
    return tf.where(x < 0, tf.constant(3.141592653589793, x.dtype), tf.zeros_like(x))


def is_complex(x) -> bool:
    return _a(x).dtype.is_complex


# -- Fourier transforms over the last axes (complex in, complex out) --------------------------
def fft(x):
    return tf.signal.fft(_a(x))


def fft2(x):
    return tf.signal.fft2d(_a(x))


def ifft2(x):
    return tf.signal.ifft2d(_a(x))


def rfft(x, n):
    return tf.signal.rfft(_a(x), fft_length=[n])


def irfft(x, n):
    return tf.signal.irfft(_a(x), fft_length=[n])


# -- sorted search, segments ------------------------------------------------------------------
def searchsorted(sorted_sequence, values, side="left"):
    """Insertion points of ``values`` into the 1-D ``sorted_sequence`` (int32)."""
    seq, values = _pair(sorted_sequence, values)
    flat = tf.reshape(values, (1, -1))
    out = tf.searchsorted(tf.reshape(seq, (1, -1)), flat, side=side, out_type=tf.int32)
    return tf.reshape(out, tf.shape(values))


def segment_min(data, segment_ids, num_segments):
    return tf.math.unsorted_segment_min(_a(data), tf.cast(_a(segment_ids), "int32"),
                                        num_segments)


def segment_prod(data, segment_ids, num_segments):
    return tf.math.unsorted_segment_prod(_a(data), tf.cast(_a(segment_ids), "int32"),
                                         num_segments)


def bincount(x, weights, length):
    x = tf.cast(_a(x), "int32")
    if weights is None:
        return tf.math.bincount(x, minlength=length, maxlength=length, dtype=tf.int32)
    w = _a(weights)
    return tf.math.unsorted_segment_sum(w, x, length)


def bitcast(x, dtype):
    """The bits of ``x`` read as ``dtype`` (same item size)."""
    return tf.bitcast(_a(x), dt.standardize(dtype))
