"""More NumPy math (``keraslite.ops.numpy``): kron, cross, diff, trapezoid, vander, fmod,
ldexp, i0, erfc, nextafter, logspace/geomspace, correlate, select, isin, unravel_index,
searchsorted, digitize, bincount, histogram, unique, argpartition, cdist and the windows."""
from __future__ import annotations

import math

import numpy as np

from keraslite import config
from keraslite.backends import core as _core
from keraslite.backends import extra_math as _xm
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op


def _t(x):
    return _np.array(x) if not hasattr(x, "dtype") else x


def _float(x):
    x = _t(x)
    return x if _core.standardize_dtype(x.dtype).startswith(("float", "bfloat")) else \
        _np.multiply(x, 1.0)


@keras_op
def kron(x1, x2):
    """Kronecker product (both arrays padded to the same rank with leading 1s)."""
    a, b = _t(x1), _t(x2)
    rank = max(len(a.shape), len(b.shape))
    a = _np.reshape(a, (1,) * (rank - len(a.shape)) + tuple(a.shape))
    b = _np.reshape(b, (1,) * (rank - len(b.shape)) + tuple(b.shape))
    # interleave: a at even axes, b at odd ones, then merge each pair
    a_exp = _np.reshape(a, tuple(d for s in a.shape for d in (s, 1)))
    b_exp = _np.reshape(b, tuple(d for s in b.shape for d in (1, s)))
    out = _np.multiply(a_exp, b_exp)
    return _np.reshape(out, tuple(p * q for p, q in zip(a.shape, b.shape)))


@keras_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (2-vectors count as z = 0) along the given axes."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _np.moveaxis(_t(x1), axisa, -1), _np.moveaxis(_t(x2), axisb, -1)
    for name, v in (("x1", a), ("x2", b)):
        if v.shape[-1] not in (2, 3):
            raise ValueError(f"ops.cross: the vector axis of `{name}` must have size 2 or 3. "
                             f"Received: shape={tuple(v.shape)}")

    def comps(v):
        z = v[..., 2] if v.shape[-1] == 3 else _np.zeros_like(v[..., 0])
        return v[..., 0], v[..., 1], z

    (a0, a1, a2), (b0, b1, b2) = comps(a), comps(b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return _np.subtract(_np.multiply(a0, b1), _np.multiply(a1, b0))
    out = _np.stack([_np.subtract(_np.multiply(a1, b2), _np.multiply(a2, b1)),
                     _np.subtract(_np.multiply(a2, b0), _np.multiply(a0, b2)),
                     _np.subtract(_np.multiply(a0, b1), _np.multiply(a1, b0))], -1)
    return _np.moveaxis(out, -1, axisc)


@keras_op
def diff(a, n=1, axis=-1):
    """``n``-th discrete difference along ``axis``."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"ops.diff: argument `n` must be an int >= 0. Received: n={n!r}")
    x = _np.moveaxis(_t(a), axis, -1)
    for _ in range(n):
        x = _np.subtract(x[..., 1:], x[..., :-1])
    return _np.moveaxis(x, -1, axis)


@keras_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule."""
    y = _np.moveaxis(_float(y), axis, -1)
    mids = _np.multiply(_np.add(y[..., 1:], y[..., :-1]), 0.5)
    if x is None:
        return _np.multiply(_np.sum(mids, -1), dx)
    x = _float(x)
    steps = _np.subtract(x[..., 1:], x[..., :-1]) if len(x.shape) == 1 else \
        _np.moveaxis(diff.raw(x, 1, axis), axis, -1)
    return _np.sum(_np.multiply(mids, _core.cast(steps, mids.dtype)), -1)


@keras_op
def vander(x, N=None, increasing=False):
    """Columns are powers of the 1-D ``x`` (decreasing unless ``increasing``)."""
    x = _t(x)
    if len(x.shape) != 1:
        raise ValueError(f"ops.vander: argument `x` must be 1-D. Received: shape={tuple(x.shape)}")
    n = x.shape[0] if N is None else N
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    cols = [_np.power(x, int(p)) if p else _np.ones_like(x) for p in powers]
    return _np.stack(cols, 1) if cols else _np.zeros((x.shape[0], 0), x.dtype)


@keras_op
def fmod(x1, x2):
    """Remainder with the sign of ``x1`` (C's fmod), unlike ``mod``."""
    a, b = _t(x1), _t(x2)
    r = _np.mod(_np.abs(a), _np.abs(b))
    return _np.where(_np.less(a, 0), _np.negative(r), r)


@keras_op
def ldexp(x1, x2):
    """``x1 * 2**x2`` with ``x2`` ints."""
    x2 = _t(x2)
    if not _core.standardize_dtype(x2.dtype).startswith(("int", "uint")):
        raise TypeError(f"ops.ldexp: argument `x2` must hold ints. "
                        f"Received: dtype={_core.standardize_dtype(x2.dtype)}")
    x1 = _float(x1)
    return _np.multiply(x1, _np.power(_core.cast(2.0, x1.dtype), _core.cast(x2, x1.dtype)))


@keras_op
def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    return _xm.i0(_float(x))


@keras_op
def erfc(x):
    return _xm.erfc(_float(x))


@keras_op
def nextafter(x1, x2):
    """The next representable float after ``x1`` towards ``x2``."""
    return _xm.nextafter(_float(x1), _float(x2))


@keras_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    exps = _np.linspace(start, stop, num, endpoint, False, "float32", axis)
    out = _np.power(_core.cast(base, "float32"), exps)
    return _core.cast(out, dtype) if dtype is not None else out


@keras_op
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    if start == 0 or stop == 0:
        raise ValueError(f"ops.geomspace: `start` and `stop` must be non-zero. "
                         f"Received: start={start!r}, stop={stop!r}")
    sign = -1.0 if start < 0 and stop < 0 else 1.0
    out = logspace.raw(math.log10(abs(start)), math.log10(abs(stop)), num, endpoint, 10, None,
                       axis)
    out = _np.multiply(out, sign)
    return _core.cast(out, dtype) if dtype is not None else out


@keras_op
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D arrays (``valid``, ``same`` or ``full``), as NumPy."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"ops.correlate: argument `mode` must be 'valid', 'same' or 'full'. "
                         f"Received: mode={mode!r}")
    a, v = _float(x1), _float(x2)
    n, m = a.shape[0], v.shape[0]
    if m > n:  # NumPy swaps and reverses
        return _np.flip(correlate.raw(v, a, mode), 0)
    pad = {"valid": 0, "same": m // 2, "full": m - 1}[mode]
    right = {"valid": 0, "same": m - 1 - m // 2, "full": m - 1}[mode]
    padded = _np.pad(a, ((pad, right),))
    count = padded.shape[0] - m + 1
    idx = np.arange(count)[:, None] + np.arange(m)[None, :]
    return _np.sum(_np.multiply(_np.take(padded, _np.array(idx.astype("int32")), 0),
                                _core.cast(v, padded.dtype)), 1)


@keras_op
def select(condlist, choicelist, default=0):
    """From the first true condition's choice, else ``default`` (NumPy's select)."""
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError("ops.select: `condlist` and `choicelist` must be non-empty and of the "
                         f"same length. Received: {len(condlist)} and {len(choicelist)}")
    out = _np.add(_np.zeros_like(_t(choicelist[-1])), default)
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = _np.where(cond, choice, out)
    return out


@keras_op
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of ``x1`` occurs in ``x2``."""
    a, b = _t(x1), _np.reshape(_t(x2), (-1,))
    found = _np.any(_np.equal(_np.expand_dims(a, -1), b), -1)
    return _np.logical_not(found) if invert else found


@keras_op
def unravel_index(indices, shape):
    """Flat ``indices`` as a tuple of coordinate arrays in an array of ``shape``."""
    idx = _t(indices)
    out = []
    for size in reversed(tuple(shape)):
        out.append(_np.mod(idx, size))
        idx = _np.floor_divide(idx, size)
    return tuple(reversed(out))


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices (int32) of ``values`` into the 1-D ``sorted_sequence``."""
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted: argument `side` must be 'left' or 'right'. "
                         f"Received: side={side!r}")
    seq = _t(sorted_sequence)
    if len(seq.shape) != 1:
        raise ValueError("ops.searchsorted: argument `sorted_sequence` must be 1-D. "
                         f"Received: shape={tuple(seq.shape)}")
    return _xm.searchsorted(seq, _t(values), side)


@keras_op
def digitize(x, bins):
    """Bin index of each ``x`` for increasing ``bins`` (NumPy's ``right=False``), int32."""
    return _xm.searchsorted(_t(bins), _t(x), "right")


def _concrete(x, op, name):
    try:
        return np.asarray(_core.convert_to_numpy(x))
    except Exception as error:  # a tracer: the output size would depend on values
        raise ValueError(f"ops.{op}: argument `{name}` must be concrete here (the output "
                         "size depends on its values); pass the size explicitly.") from error


@keras_op
def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (or summed ``weights``) of each non-negative int in the 1-D ``x``."""
    if sparse:
        raise ValueError("ops.bincount: argument `sparse` supports only False. "
                         f"Received: sparse={sparse!r}")
    x = _t(x)
    if not _core.standardize_dtype(x.dtype).startswith(("int", "uint")):
        raise TypeError(f"ops.bincount: argument `x` must hold ints. "
                        f"Received: dtype={_core.standardize_dtype(x.dtype)}")
    values = _concrete(x, "bincount", "x")
    if values.size and values.min() < 0:
        raise ValueError("ops.bincount: argument `x` must be non-negative. "
                         f"Received: min={values.min()}")
    length = max(int(values.max()) + 1 if values.size else 0, int(minlength))
    w = None if weights is None else _t(weights)
    return _xm.bincount(x, w, length)


@keras_op
def histogram(x, bins=10, range=None):
    """``(counts, edges)`` of ``x`` over ``bins`` equal bins of ``range`` (default: min..max)."""
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"ops.histogram: argument `bins` must be a positive int. "
                         f"Received: bins={bins!r}")
    x = _np.reshape(_float(x), (-1,))
    lo, hi = (_np.min(x), _np.max(x)) if range is None else (
        _core.cast(range[0], x.dtype), _core.cast(range[1], x.dtype))
    edges = _np.add(lo, _np.multiply(_np.subtract(hi, lo),
                                     _np.divide(_np.arange(bins + 1, dtype=x.dtype), bins)))
    width = _np.subtract(hi, lo)
    safe = _np.where(_np.greater(width, 0), width, 1.0)
    idx = _core.cast(_np.floor(_np.multiply(_np.divide(_np.subtract(x, lo), safe), bins)), "int32")
    idx = _np.minimum(idx, bins - 1)  # the last bin includes its right edge
    inside = _np.logical_and(_np.greater_equal(x, lo), _np.less_equal(x, hi))
    one_hot = _np.logical_and(_np.equal(_np.expand_dims(idx, 1), _np.arange(bins, dtype="int32")),
                              _np.expand_dims(inside, 1))
    return _np.sum(_core.cast(one_hot, "int32"), 0), edges


@keras_op
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """NumPy's ``unique`` on concrete values (``size`` pads or cuts the result)."""
    if axis is not None:
        raise ValueError(f"ops.unique: argument `axis` supports only None. Received: {axis!r}")
    values = _concrete(_t(x), "unique", "x")
    out = np.unique(values, return_index=True, return_inverse=True, return_counts=True)
    uniq, index, inverse, counts = out
    if size is not None:
        fill = uniq.min() if fill_value is None and uniq.size else (fill_value or 0)
        pad = max(0, size - uniq.size)
        uniq = np.concatenate([uniq, np.full(pad, fill, uniq.dtype)])[:size]
        index = np.concatenate([index, np.zeros(pad, index.dtype)])[:size]
        counts = np.concatenate([counts, np.zeros(pad, counts.dtype)])[:size]
    result = [_np.array(uniq)]
    if return_index:
        result.append(_np.array(index.astype("int32")))
    if return_inverse:
        result.append(_np.array(inverse.reshape(values.shape).astype("int32")))
    if return_counts:
        result.append(_np.array(counts.astype("int32")))
    return result[0] if len(result) == 1 else tuple(result)


@keras_op
def argpartition(x, kth, axis=-1):
    """Indices that partition ``x`` around its ``kth`` smallest value along ``axis`` (a full
    argsort is one valid answer)."""
    x = _t(x)
    n = x.shape[axis]
    if n is not None and not -n <= kth < n:
        raise ValueError(f"ops.argpartition: argument `kth` must be within the axis size "
                         f"({n}). Received: kth={kth!r}")
    return _core.cast(_np.argsort(x, axis), "int32")


@keras_op
def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., P, M) and ``y`` (..., R, M)."""
    a, b = _float(x), _float(y)
    d = _np.subtract(_np.expand_dims(a, -2), _np.expand_dims(b, -3))
    return _np.sqrt(_np.sum(_np.square(d), -1))


def _window(m, values):
    if not isinstance(m, (int, np.integer)) and not hasattr(m, "shape"):
        raise TypeError(f"the window length must be an int. Received: {m!r}")
    m = int(_concrete(_t(m), "window", "x"))
    return _core.cast(_np.array(values(m).astype("float32")), config.floatx())


@keras_op
def bartlett(x):
    return _window(x, np.bartlett)


@keras_op
def blackman(x):
    return _window(x, np.blackman)


@keras_op
def hamming(x):
    return _window(x, np.hamming)


@keras_op
def hanning(x):
    return _window(x, np.hanning)


@keras_op
def kaiser(x, beta):
    return _window(x, lambda m: np.kaiser(m, beta))


__all__ = ["kron", "cross", "diff", "trapezoid", "vander", "fmod", "ldexp", "i0", "erfc",
           "nextafter", "logspace", "geomspace", "correlate", "select", "isin", "unravel_index",
           "searchsorted", "digitize", "bincount", "histogram", "unique", "argpartition", "cdist",
           "bartlett", "blackman", "hamming", "hanning", "kaiser"]
