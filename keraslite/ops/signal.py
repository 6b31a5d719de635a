"""Fourier transforms and framing (``keras.ops.math`` names): fft, fft2, ifft2, rfft, irfft,
stft, istft, extract_sequences. Complex values travel as ``(real, imag)`` pairs, as Keras."""
from __future__ import annotations

import numpy as np

from keraslite.backends import core as _core
from keraslite.backends import extra_math as _xm
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _pair(x, op):
    if not isinstance(x, (list, tuple)) or len(x) != 2:
        raise ValueError(f"ops.{op}: argument `x` must be a pair (real, imag) of float tensors. "
                         f"Received: {type(x).__name__}")
    real, imag = (_np.multiply(_np.array(p) if not hasattr(p, "dtype") else p, 1.0) for p in x)
    if tuple(real.shape) != tuple(imag.shape):
        raise ValueError(f"ops.{op}: the real and imaginary parts of `x` must have the same "
                         f"shape. Received: {tuple(real.shape)} and {tuple(imag.shape)}")
    return _xm.complex(real, imag)


def _parts(z):
    return _xm.real(z), _xm.imag(z)


@keras_op
def fft(x):
    return _parts(_xm.fft(_pair(x, "fft")))


@keras_op
def fft2(x):
    return _parts(_xm.fft2(_pair(x, "fft2")))


@keras_op
def ifft2(x):
    return _parts(_xm.ifft2(_pair(x, "ifft2")))


@keras_op
def rfft(x, fft_length=None):
    x = _np.multiply(_np.array(x) if not hasattr(x, "dtype") else x, 1.0)
    n = x.shape[-1] if fft_length is None else int(fft_length)
    return _parts(_xm.rfft(x, n))


@keras_op
def irfft(x, fft_length=None):
    z = _pair(x, "irfft")
    n = 2 * (z.shape[-1] - 1) if fft_length is None else int(fft_length)
    return _xm.irfft(z, n)


@keras_op
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` every ``sequence_stride`` along the last axis."""
    x = _np.array(x) if not hasattr(x, "dtype") else x
    n = x.shape[-1]
    if sequence_length > n or sequence_length < 1 or sequence_stride < 1:
        raise ValueError("ops.extract_sequences: need 1 <= sequence_length <= the last axis "
                         f"({n}) and sequence_stride >= 1. Received: {sequence_length}, "
                         f"{sequence_stride}")
    count = (n - sequence_length) // sequence_stride + 1
    idx = (np.arange(count)[:, None] * sequence_stride + np.arange(sequence_length)[None, :])
    return _np.take(x, _np.array(idx.astype("int32")), -1)


def _window(window, length, dtype):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError("ops.stft: argument `window` must be 'hann', 'hamming', None or an "
                             f"array. Received: window={window!r}")
        # periodic windows, as signal processing uses for framing
        k = np.arange(length)
        a = 0.5 if window == "hann" else 0.54
        values = a - (1 - a) * np.cos(2 * np.pi * k / length)
        return _core.cast(_np.array(values.astype("float32")), dtype)
    return _core.cast(_np.array(window) if not hasattr(window, "dtype") else window, dtype)


@keras_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the last axis: ``(real, imag)`` of shape
    (..., frames, fft_length // 2 + 1)."""
    x = _np.multiply(_np.array(x) if not hasattr(x, "dtype") else x, 1.0)
    if fft_length < sequence_length:
        raise ValueError("ops.stft: `fft_length` must be >= `sequence_length`. Received: "
                         f"{fft_length} < {sequence_length}")
    if center:
        pad = fft_length // 2
        x = _np.pad(x, [(0, 0)] * (len(x.shape) - 1) + [(pad, pad)], "reflect")
    frames = extract_sequences.raw(x, fft_length, sequence_stride)
    w = _window(window, sequence_length, frames.dtype)
    if w is not None:
        left = (fft_length - sequence_length) // 2
        w = _np.pad(w, ((left, fft_length - sequence_length - left),))
        frames = _np.multiply(frames, w)
    return _parts(_xm.rfft(frames, fft_length))


@keras_op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """The inverse of ``stft`` by weighted overlap-add."""
    frames = _xm.irfft(_pair(x, "istft"), fft_length)  # (..., F, fft_length)
    w = _window(window, sequence_length, frames.dtype)
    left = (fft_length - sequence_length) // 2
    if w is None:
        w = _np.ones((sequence_length,), frames.dtype)
    w = _np.pad(w, ((left, fft_length - sequence_length - left),))
    frames = _np.multiply(frames, w)
    count = frames.shape[-2]
    total = (count - 1) * sequence_stride + fft_length
    idx = (np.arange(count)[:, None] * sequence_stride + np.arange(fft_length)[None, :])
    lead = tuple(frames.shape[:-2])
    flat = _np.reshape(frames, (-1, count * fft_length))
    from keraslite.backends import nn as _nn

    summed = _nn.segment_sum(_np.transpose(flat), _np.array(idx.reshape(-1).astype("int32")),
                             num_segments=total)
    norm = np.zeros(total, "float64")
    wn = np.asarray(_core.convert_to_numpy(w), "float64") ** 2
    for i in range(count):
        norm[i * sequence_stride:i * sequence_stride + fft_length] += wn
    out = _np.divide(_np.transpose(summed), _core.cast(_np.array(
        np.where(norm > 1e-10, norm, 1.0).astype("float32")), frames.dtype))
    out = _np.reshape(out, lead + (total,))
    start = fft_length // 2 if center else 0
    end = total - (fft_length // 2 if center else 0)
    out = out[..., start:end]
    if length is not None:
        out = out[..., :length]
    return out


__all__ = ["fft", "fft2", "ifft2", "rfft", "irfft", "extract_sequences", "stft", "istft"]
