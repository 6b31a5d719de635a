"""Independent NumPy reference implementations used by the op tests (naive loops on purpose)."""
from __future__ import annotations

import math

import numpy as np


def _tup(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _same_pads(sizes, kernel, strides, dilation):
    pads = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        span = (k - 1) * d + 1
        out = -(-size // s)
        total = max((out - 1) * s + span - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def conv(x, k, strides=1, padding="valid", dilation=1):
    """channels_last N-D convolution, groups = in_channels // kernel in-channels."""
    x = np.asarray(x, np.float64)
    k = np.asarray(k, np.float64)
    n = k.ndim - 2
    s, d = _tup(strides, n), _tup(dilation, n)
    if padding == "same":
        pads = _same_pads(x.shape[1:-1], k.shape[:n], s, d)
    else:
        pads = [(0, 0)] * n
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_sp = [(xp.shape[1 + i] - ((k.shape[i] - 1) * d[i] + 1)) // s[i] + 1 for i in range(n)]
    cin, kin, cout = x.shape[-1], k.shape[-2], k.shape[-1]
    groups = cin // kin
    per = cout // groups
    out = np.zeros((x.shape[0], *out_sp, cout))
    for idx in np.ndindex(*out_sp):
        for kidx in np.ndindex(*k.shape[:n]):
            pos = tuple(idx[i] * s[i] + kidx[i] * d[i] for i in range(n))
            patch = xp[(slice(None),) + pos]
            for g in range(groups):
                w = k[kidx][:, g * per:(g + 1) * per]
                out[(slice(None),) + idx + (slice(g * per, (g + 1) * per),)] += (
                    patch[:, g * kin:(g + 1) * kin] @ w
                )
    return out


def depthwise_conv(x, k, strides=1, padding="valid", dilation=1):
    """Each input channel c convolved with k[..., c, m] into output channel c * mult + m."""
    x = np.asarray(x, np.float64)
    k = np.asarray(k, np.float64)
    cin, mult = k.shape[-2], k.shape[-1]
    outs = []
    for c in range(cin):
        outs.append(conv(x[..., c:c + 1], k[..., c:c + 1, :], strides, padding, dilation))
    return np.concatenate(outs, axis=-1).reshape(outs[0].shape[:-1] + (cin * mult,))


def conv_transpose(x, k, strides=1, padding="valid", output_padding=None, dilation=1):
    """Scatter form: every input position adds ``x[i] @ k[j].T`` at ``i * s + j * d``; then the
    Keras output length is cut out of the full result."""
    x = np.asarray(x, np.float64)
    k = np.asarray(k, np.float64)  # (*spatial, out, in)
    n = k.ndim - 2
    s, d = _tup(strides, n), _tup(dilation, n)
    ops = (None,) * n if output_padding is None else _tup(output_padding, n)
    in_sp = x.shape[1:-1]
    spans = [(k.shape[i] - 1) * d[i] + 1 for i in range(n)]
    full = [(in_sp[i] - 1) * s[i] + spans[i] for i in range(n)]
    lengths, crops = [], []
    for i in range(n):
        if ops[i] is None:
            length = in_sp[i] * s[i] if padding == "same" else in_sp[i] * s[i] + max(spans[i] - s[i], 0)
            crop = max(spans[i] - s[i], 0) // 2 if padding == "same" else 0
        else:
            pad = spans[i] // 2 if padding == "same" else 0
            length = (in_sp[i] - 1) * s[i] + spans[i] - 2 * pad + ops[i]
            # "same" crops the full result symmetrically down to ``length`` (Keras 3 does this;
            # checked with keras.ops.conv_transpose).
            crop = max(full[i] - length, 0) // 2 if padding == "same" else 0
        lengths.append(length)
        crops.append(crop)
    big = np.zeros((x.shape[0], *[max(f, c + l) for f, c, l in zip(full, crops, lengths)], k.shape[-2]))
    for idx in np.ndindex(*in_sp):
        for kidx in np.ndindex(*k.shape[:n]):
            pos = tuple(idx[i] * s[i] + kidx[i] * d[i] for i in range(n))
            big[(slice(None),) + pos] += x[(slice(None),) + idx] @ k[kidx].T
    return big[(slice(None),) + tuple(slice(c, c + l) for c, l in zip(crops, lengths))]


def pool(x, pool_size, strides=None, padding="valid", kind="max"):
    """channels_last pooling; "same" windows ignore the padding (average over real entries)."""
    x = np.asarray(x, np.float64)
    n = x.ndim - 2
    p = _tup(pool_size, n)
    s = p if strides is None else _tup(strides, n)
    if padding == "same":
        pads = _same_pads(x.shape[1:-1], p, s, (1,) * n)
    else:
        pads = [(0, 0)] * n
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=np.nan)
    out_sp = [(xp.shape[1 + i] - p[i]) // s[i] + 1 for i in range(n)]
    out = np.zeros((x.shape[0], *out_sp, x.shape[-1]))
    for idx in np.ndindex(*out_sp):
        window = xp[(slice(None),) + tuple(slice(idx[i] * s[i], idx[i] * s[i] + p[i]) for i in range(n))]
        flat = window.reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None),) + idx] = np.nanmax(flat, 1) if kind == "max" else np.nanmean(flat, 1)
    return out


def softmax(x, axis=-1):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = np.asarray(x, np.float64)
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def erf(x):
    return np.vectorize(math.erf)(np.asarray(x, np.float64))


def sigmoid(x):
    x = np.asarray(x, np.float64)
    return 1.0 / (1.0 + np.exp(-x))


def gelu(x, approximate=True):
    x = np.asarray(x, np.float64)
    if approximate:
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))
