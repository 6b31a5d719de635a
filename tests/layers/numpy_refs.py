"""Plain NumPy reference implementations of the layers' math (naive loops where it matters).

All work in float64 internally and take/return ``channels_last`` arrays unless noted.
"""
from __future__ import annotations

import math

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def dense(x, kernel, bias=None, activation=None):
    y = np.asarray(x, np.float64) @ kernel
    if bias is not None:
        y = y + bias
    return activation(y) if activation else y


def same_padding(size, kernel, stride, dilation=1):
    """(before, after) padding of "same" windows: TF/Keras put the extra pixel after."""
    out = math.ceil(size / stride)
    span = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation=(1, 1), groups=1,
           data_format="channels_last"):
    """Naive grouped, strided, dilated 2-D convolution (cross-correlation, as in Keras)."""
    x = np.asarray(x, np.float64)
    if data_format == "channels_first":
        x = x.transpose(0, 2, 3, 1)
    n, h, w, cin = x.shape
    kh, kw, cin_g, filters = kernel.shape
    sh, sw = strides
    dh, dw = dilation
    if padding == "same":
        ph, pw = same_padding(h, kh, sh, dh), same_padding(w, kw, sw, dw)
        x = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    oh = (x.shape[1] - span_h) // sh + 1
    ow = (x.shape[2] - span_w) // sw + 1
    out = np.zeros((n, oh, ow, filters))
    f_per_group = filters // groups
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                patch = x[b, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw, :]
                for f in range(filters):
                    g = f // f_per_group
                    chans = patch[:, :, g * cin_g:(g + 1) * cin_g]
                    out[b, i, j, f] = np.sum(chans * kernel[:, :, :, f])
    if bias is not None:
        out = out + bias
    if data_format == "channels_first":
        out = out.transpose(0, 3, 1, 2)
    return out


def pool2d(x, pool_size, strides, padding="valid", mode="max", data_format="channels_last"):
    """Naive 2-D pooling; "same" average pooling divides by the number of real pixels."""
    x = np.asarray(x, np.float64)
    if data_format == "channels_first":
        x = x.transpose(0, 2, 3, 1)
    n, h, w, c = x.shape
    ph_, pw_ = pool_size
    sh, sw = strides
    if padding == "same":
        (pt, pb), (pl, pr) = same_padding(h, ph_, sh), same_padding(w, pw_, sw)
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
    else:
        pt = pl = 0
        oh, ow = (h - ph_) // sh + 1, (w - pw_) // sw + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - pt, j * sw - pl
            r1, c1 = min(r0 + ph_, h), min(c0 + pw_, w)
            r0, c0 = max(r0, 0), max(c0, 0)
            window = x[:, r0:r1, c0:c1, :]
            if mode == "max":
                out[:, i, j, :] = window.max(axis=(1, 2))
            else:
                out[:, i, j, :] = window.mean(axis=(1, 2))
    if data_format == "channels_first":
        out = out.transpose(0, 3, 1, 2)
    return out


def batch_norm(x, mean, var, gamma, beta, epsilon, axis=-1):
    x = np.asarray(x, np.float64)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = lambda v: np.reshape(v, shape)  # noqa: E731
    y = (x - r(mean)) / np.sqrt(r(var) + epsilon)
    if gamma is not None:
        y = y * r(gamma)
    if beta is not None:
        y = y + r(beta)
    return y


def batch_moments(x, axis=-1):
    x = np.asarray(x, np.float64)
    axis = axis % x.ndim
    axes = tuple(i for i in range(x.ndim) if i != axis)
    return x.mean(axis=axes), x.var(axis=axes)
