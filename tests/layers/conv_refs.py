"""Naive NumPy references (float64 loops) for convolutions, transposed convolutions, depthwise
convolutions and pooling, channels_last, with the Keras conventions for "same" and "causal"
padding. Shared by the spatial layer tests."""
import itertools

import numpy as np


def _pads(lengths, spans, strides, padding):
    out = []
    for n, k, s in zip(lengths, spans, strides):
        if padding == "valid":
            out.append((0, 0))
        elif padding == "causal":
            out.append((k - 1, 0))
        else:
            total = max((-(-n // s) - 1) * s + k - n, 0)
            out.append((total // 2, total - total // 2))
    return out


def np_conv(x, kernel, strides, padding, dilation, groups=1):
    """Naive N-D convolution, channels_last; kernel (*ks, cin // groups, cout)."""
    ks = kernel.shape[:-2]
    spans = [(k - 1) * d + 1 for k, d in zip(ks, dilation)]
    pads = _pads(x.shape[1:-1], spans, strides, padding)
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)])
    out_len = [(xp.shape[1 + i] - spans[i]) // strides[i] + 1 for i in range(len(ks))]
    cin_g, cout = kernel.shape[-2], kernel.shape[-1]
    cout_g = cout // groups
    out = np.zeros((x.shape[0], *out_len, cout))
    for pos in itertools.product(*[range(n) for n in out_len]):
        for kpos in itertools.product(*[range(k) for k in ks]):
            idx = tuple(p * s + q * d for p, s, q, d in zip(pos, strides, kpos, dilation))
            patch = xp[(slice(None),) + idx]                      # (b, cin)
            for g in range(groups):
                w = kernel[kpos][:, g * cout_g:(g + 1) * cout_g]  # (cin_g, cout_g)
                out[(slice(None),) + pos + (slice(g * cout_g, (g + 1) * cout_g),)] += \
                    patch[:, g * cin_g:(g + 1) * cin_g] @ w
    return out


def np_conv_transpose(x, kernel, strides, padding, output_padding, dilation):
    """Naive transposed convolution by scattering each input value; kernel (*ks, cout, cin)."""
    ks = kernel.shape[:-2]
    n = len(ks)
    op = output_padding or (None,) * n
    lengths, starts = [], []
    for L, k, s, d, p in zip(x.shape[1:-1], ks, strides, dilation, op):
        span = (k - 1) * d + 1
        if p is None:
            length = L * s if padding == "same" else L * s + max(span - s, 0)
            start = max(span - s, 0) // 2 if padding == "same" else 0
        else:
            length = (L - 1) * s + span - 2 * (span // 2 if padding == "same" else 0) + p
            # entries cut from the full result; the start gets the smaller half
            start = max((L - 1) * s + span - length, 0) // 2 if padding == "same" else 0
        lengths.append(length)
        starts.append(start)
    out = np.zeros((x.shape[0], *lengths, kernel.shape[-2]))
    for pos in itertools.product(*[range(L) for L in x.shape[1:-1]]):
        for kpos in itertools.product(*[range(k) for k in ks]):
            o = tuple(p * s + q * d - st for p, s, q, d, st in
                      zip(pos, strides, kpos, dilation, starts))
            if all(0 <= v < L for v, L in zip(o, lengths)):
                out[(slice(None),) + o] += x[(slice(None),) + pos] @ kernel[kpos].T
    return out


def np_depthwise(x, kernel, strides, padding, dilation):
    """kernel (*ks, cin, mult): output channel c * mult + m sees only input channel c."""
    cin, mult = kernel.shape[-2:]
    out = []
    for c in range(cin):
        k = kernel[..., c:c + 1, :]  # (*ks, 1, mult)
        out.append(np_conv(x[..., c:c + 1], k, strides, padding, dilation))
    return np.concatenate(out, axis=-1)


def to_last(x):
    return np.moveaxis(x, 1, -1)


def to_first(x):
    return np.moveaxis(x, -1, 1)


def np_pool(x, pool, strides, padding, mode):
    """Naive pooling, channels_last; "same" windows average over real values only."""
    pads = _pads(x.shape[1:-1], pool, strides, padding)
    fill = -np.inf if mode == "max" else np.nan
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    out_len = [(xp.shape[1 + i] - pool[i]) // strides[i] + 1 for i in range(len(pool))]
    out = np.zeros((x.shape[0], *out_len, x.shape[-1]))
    for pos in itertools.product(*[range(n) for n in out_len]):
        window = xp[(slice(None),) + tuple(slice(p * s, p * s + k)
                                           for p, s, k in zip(pos, strides, pool))]
        window = window.reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None),) + pos] = window.max(1) if mode == "max" else np.nanmean(window, 1)
    return out
