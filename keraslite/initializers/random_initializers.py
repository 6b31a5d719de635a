"""Random initializers: normal, uniform, truncated normal, variance scaling and its named forms,
orthogonal."""
from __future__ import annotations

import math

import numpy as np

from keraslite.initializers.host_arrays import aligned_empty
from keraslite.initializers.initializer import RandomInitializer, compute_fans, numpy_dtype
from keraslite.initializers.parallel_uniform import uniform_float32
from keraslite.utils import pending_arrays

# Values drawn then scaled together while in cache (see parallel_uniform).
_BLOCK = 1 << 16
# std of a standard normal truncated to [-2, 2]; dividing by it keeps the requested std
_TRUNCATED_STD = 0.87962566103423978


def _draw_dtype(dtype) -> np.dtype:
    """The dtype to draw in: float64 only for float64 targets. Drawing float32 directly (instead
    of float64 then casting) halves the memory traffic; for VGG16's 138 million values it was
    most of the build time."""
    target = numpy_dtype(dtype)
    return np.dtype(np.float64) if target == np.float64 else np.dtype(np.float32)


def _finish(values: np.ndarray, dtype) -> np.ndarray:
    """Cast to the target dtype (into an aligned array, see host_arrays), without a copy when
    the draw already has it."""
    target = numpy_dtype(dtype)
    if values.dtype == target:
        return values
    out = aligned_empty(values.shape, target)
    out[...] = values
    return out


def _normal(rng, shape, mean, stddev, dtype):
    # Drawn a block at a time into one array: the same values as one standard_normal call.
    out = aligned_empty(shape, _draw_dtype(dtype))
    flat = out.reshape(-1)
    for begin in range(0, flat.size, _BLOCK):
        block = flat[begin:begin + _BLOCK]
        rng.standard_normal(dtype=out.dtype, out=block)
        block *= stddev
        block += mean
    return out


def _uniform(rng, shape, minval, maxval, dtype, background=False):
    """``background``: the caller returns the draw as it is to the variable that called it,
    which may then take it while workers still write it (``keraslite.utils.pending_arrays``)."""
    if _draw_dtype(dtype) == np.float32:  # (large draws are split over threads)
        # (a float16 target is cast from the draw at once: never handed over pending)
        background = background and numpy_dtype(dtype) == np.float32
        return uniform_float32(rng, shape, maxval - minval, minval, background=background)
    out = aligned_empty(shape, np.float64)
    rng.random(dtype=np.float64, out=out)
    out *= maxval - minval
    out += minval
    return out


def _truncated_normal(rng, shape, mean, stddev, dtype=None):
    """Normal samples, redrawing any that fall more than two stddevs from the mean.

    The values are those of redrawing, round after round, every out-of-range sample of the
    whole array in index order. Only the redrawn positions can be out of range in the next
    round, so only they are checked again: EfficientNetV2L's 119 million values were scanned
    (and a full-size temporary allocated) seven times before.
    """
    draw = _draw_dtype(dtype)
    out = aligned_empty(shape, draw)
    flat = out.reshape(-1)
    out_of_range = [np.empty(0, np.intp)]
    for begin in range(0, flat.size, _BLOCK):
        block = flat[begin:begin + _BLOCK]
        rng.standard_normal(dtype=draw, out=block)
        out_of_range.append(np.flatnonzero(np.abs(block) > 2.0) + begin)
        block *= stddev
        block += mean
    index = np.concatenate(out_of_range)
    while index.size:
        values = rng.standard_normal(index.size, dtype=draw)
        again = np.abs(values) > 2.0
        values *= stddev
        values += mean
        flat[index] = values
        index = index[again]
    return out


class RandomNormal(RandomInitializer):
    """Samples from N(mean, stddev**2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _finish(_normal(self._rng(), tuple(shape), self.mean, self.stddev, dtype), dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Samples from U[minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        values = _uniform(self._rng(), tuple(shape), self.minval, self.maxval, dtype,
                          background=pending_arrays.allowed(self, RandomUniform.__call__))
        return _finish(values, dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal samples with values beyond two standard deviations redrawn."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._rng(), tuple(shape), self.mean, self.stddev, dtype)
        return _finish(values, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / n``, n being fan_in, fan_out or their average (``mode``).

    ``distribution`` is "truncated_normal", "untruncated_normal" or "uniform".
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        # Keras 3.15 configs name the kernel axes that count as fan-in / fan-out (for
        # multi-axis kernels); None keeps the usual rule (compute_fans).
        self.input_axes = None if input_axes is None else tuple(input_axes)
        self.output_axes = None if output_axes is None else tuple(output_axes)
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: `scale` must be positive. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling: `mode` must be one of {self._MODES}. Received: mode={mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling: `distribution` must be one of {self._DISTRIBUTIONS}. "
                f"Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        fan_in, fan_out = compute_fans(shape)
        if self.input_axes is not None:
            fan_in = math.prod(shape[a] for a in self.input_axes)
        if self.output_axes is not None:
            fan_out = math.prod(shape[a] for a in self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(rng, shape, 0.0, math.sqrt(variance) / _TRUNCATED_STD,
                                       dtype)
        elif self.distribution == "untruncated_normal":
            values = _normal(rng, shape, 0.0, math.sqrt(variance), dtype)
        else:
            limit = math.sqrt(3.0 * variance)
            values = _uniform(rng, shape, -limit, limit, dtype,
                              background=pending_arrays.allowed(self, VarianceScaling.__call__))
        return _finish(values, dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes,
                **super().get_config()}


def _named_variance_scaling(class_name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed,
                                 input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(class_name, (VarianceScaling,),
                {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _named_variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform",
                                        "Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _named_variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                                       "Truncated normal with std sqrt(2 / (fan_in + fan_out)).")
HeUniform = _named_variance_scaling("HeUniform", 2.0, "fan_in", "uniform",
                                    "Uniform in [-limit, limit], limit = sqrt(6 / fan_in).")
HeNormal = _named_variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal",
                                   "Truncated normal with std sqrt(2 / fan_in).")
LecunUniform = _named_variance_scaling("LecunUniform", 1.0, "fan_in", "uniform",
                                       "Uniform in [-limit, limit], limit = sqrt(3 / fan_in).")
LecunNormal = _named_variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal",
                                      "Truncated normal with std sqrt(1 / fan_in).")
for _cls in (GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal):
    _cls.__module__ = __name__


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``; shapes of rank > 2 are flattened to
    (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal initializer needs a shape of rank >= 2. Received: shape={shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # makes the decomposition unique, hence uniformly distributed
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(numpy_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}
