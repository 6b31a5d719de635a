"""Normalization: shifts and scales features to zero mean and unit variance."""
from __future__ import annotations

import numpy as np

from keraslite import backend, ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def _iter_batches(data):
    """NumPy batches of ``data``: an array, a tensor, or an iterable of batches (or (x, y))."""
    if isinstance(data, (list, tuple)) and data and all(
            isinstance(b, np.ndarray) or backend.is_tensor(b) for b in data):
        for batch in data:  # a list of batches
            yield np.asarray(backend.convert_to_numpy(batch) if backend.is_tensor(batch)
                             else batch)
        return
    if isinstance(data, (np.ndarray, list, tuple, int, float)) or backend.is_tensor(data):
        yield np.asarray(backend.convert_to_numpy(data) if backend.is_tensor(data) else data)
        return
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        yield np.asarray(backend.convert_to_numpy(batch) if backend.is_tensor(batch) else batch)


class Normalization(Layer):
    """Computes ``(inputs - mean) / sqrt(variance)`` (or its inverse with ``invert=True``).

    The statistics are given as ``mean``/``variance`` or learned from data with ``adapt``;
    ``axis`` lists the axes that keep their own statistics (default: the last one).

    Example::

        norm = keraslite.layers.Normalization()
        norm.adapt(x_train)          # per-feature mean and variance
        y = norm(x_train[:8])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        else:
            try:
                axis = tuple(int(a) for a in axis)
            except (TypeError, ValueError):
                raise arg_utils.invalid("Normalization", "axis",
                                        "an int, a tuple of ints or None", axis) from None
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization: pass both `mean` and `variance`, or neither. "
                f"Received: mean={mean!r}, variance={variance!r}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._mean_and_var_shape = None

    def _reduce_shape(self, input_shape):
        ndim = len(input_shape)
        keep = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"Layer '{self.name}': axis {a} is out of range for input of rank {ndim}. "
                    f"Received: input_shape={tuple(input_shape)}")
            keep.append(a % ndim)
        for a in keep:
            if input_shape[a] is None:
                raise ValueError(
                    f"Layer '{self.name}': axis {a} of the input must be known. "
                    f"Received: input_shape={tuple(input_shape)}")
        # Statistics broadcast against the input: size 1 on reduced axes.
        broadcast = tuple(input_shape[a] if a in keep else 1 for a in range(ndim))
        stat_shape = tuple(input_shape[a] for a in keep)
        return keep, broadcast, stat_shape

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self._keep_axes, self._broadcast_shape, stat_shape = self._reduce_shape(input_shape)
        self._build_ndim = len(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=stat_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=stat_shape,
                                                  initializer="ones", trainable=False)
            # Kept for weight-list compatibility with Keras, which never updates it either.
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        self.built = True

    def adapt(self, data):
        """Sets mean and variance from ``data`` (an array or an iterable of batches)."""
        total, mean, m2 = 0, None, None
        for batch in _iter_batches(data):
            batch = batch.astype("float64")
            if batch.ndim == 1:
                batch = batch[:, None]
            if not self.built:
                self._build_with_shapes((None,) + batch.shape[1:])
            keep = [a % batch.ndim for a in self.axis]
            reduce_axes = tuple(a for a in range(batch.ndim) if a not in keep)
            n = int(np.prod([batch.shape[a] for a in reduce_axes])) if reduce_axes else 1
            b_mean = batch.mean(axis=reduce_axes)
            b_m2 = ((batch - batch.mean(axis=reduce_axes, keepdims=True)) ** 2).sum(
                axis=reduce_axes)
            if mean is None:
                total, mean, m2 = n, b_mean, b_m2
            else:
                # Chan et al. parallel update of mean and summed squared deviations.
                delta = b_mean - mean
                new_total = total + n
                mean = mean + delta * n / new_total
                m2 = m2 + b_m2 + delta ** 2 * total * n / new_total
                total = new_total
        if mean is None:
            raise ValueError(f"Layer '{self.name}': adapt() received no data.")
        if self.input_mean is not None:
            raise ValueError(
                f"Layer '{self.name}' was given mean and variance; it cannot be adapted.")
        shape = self.adapt_mean.shape
        self.adapt_mean.assign(np.reshape(mean, shape).astype(self.adapt_mean.dtype))
        self.adapt_variance.assign(np.reshape(m2 / total, shape).astype(self.adapt_mean.dtype))

    def _stats(self, dtype):
        if self.input_mean is not None:
            mean = np.broadcast_to(np.asarray(self.input_mean, "float32"),
                                   self._broadcast_shape)
            var = np.broadcast_to(np.asarray(self.input_variance, "float32"),
                                  self._broadcast_shape)
            return ops.cast(mean, dtype), ops.cast(var, dtype)
        mean = ops.reshape(ops.cast(self.adapt_mean.value, dtype), self._broadcast_shape)
        var = ops.reshape(ops.cast(self.adapt_variance.value, dtype), self._broadcast_shape)
        return mean, var

    def call(self, inputs):
        if "float" not in ops.standardize_dtype(inputs.dtype):
            inputs = ops.cast(inputs, self.compute_dtype)
        mean, var = self._stats(inputs.dtype)
        std = ops.maximum(ops.sqrt(var), 1e-7)
        if self.invert:
            return ops.add(ops.multiply(inputs, std), mean)
        return ops.divide(ops.subtract(inputs, mean), std)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        def plain(v):
            return np.asarray(v).tolist() if v is not None else None

        return {**super().get_config(), "axis": list(self.axis) if len(self.axis) != 1
                else self.axis[0], "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}
