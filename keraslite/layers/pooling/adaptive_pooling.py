"""Adaptive pooling: a fixed output size whatever the input size (PyTorch's bins), in 1, 2 and 3
spatial dimensions, averaging or taking the maximum."""
from __future__ import annotations

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


def _bins(size: int, out: int) -> list[tuple[int, int]]:
    """Bin i of an axis of length ``size`` pooled to ``out`` covers
    ``[floor(i*size/out), ceil((i+1)*size/out))``: bins overlap when ``out`` does not divide
    ``size``, and every element is in at least one bin."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _bin_matrix(size: int, out: int) -> np.ndarray:
    """(out, size) averaging weights of the bins of one axis."""
    matrix = np.zeros((out, size), dtype="float32")
    for i, (start, end) in enumerate(_bins(size, out)):
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class _AdaptivePooling(Layer):
    """Pools each spatial axis into ``output_size`` bins, one axis after the other (both the
    mean and the maximum over a box are separable). Averages are a small matmul per axis with a
    constant bin matrix (one fused op instead of one slice per bin); maxima take one slice per
    bin, and the output sizes of adaptive pooling are small (AlexNet's 6)."""

    rank = 2
    mode = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name, rank = type(self).__name__, self.rank
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * rank
        if (not isinstance(output_size, (tuple, list)) or len(output_size) != rank
                or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                           for d in output_size)):
            raise arg_utils.invalid(name, "output_size", f"a positive int or a tuple of {rank} "
                                    "positive ints", output_size)
        self.output_size = tuple(output_size)
        self.data_format = arg_utils.standardize_data_format(name, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _spatial_axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs):
        x = inputs
        for axis, out in zip(self._spatial_axes(), self.output_size):
            size = x.shape[axis]
            if size is None:
                raise ValueError(f"Layer '{self.name}' needs the spatial sizes of its input to be "
                                 f"known. Received: shape={tuple(inputs.shape)}")
            if self.mode == "average":
                matrix = ops.convert_to_tensor(_bin_matrix(size, out), x.dtype)
                x = ops.moveaxis(ops.tensordot(x, matrix, axes=[[axis], [1]]), -1, axis)
            else:
                index = [slice(None)] * len(x.shape)
                pooled = []
                for start, end in _bins(size, out):
                    index[axis] = slice(start, end)
                    pooled.append(ops.max(x[tuple(index)], axis=axis))
                x = ops.stack(pooled, axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, out in zip(self._spatial_axes(), self.output_size):
            shape[axis] = out
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Averages ``output_size`` bins of the steps axis: ``(batch, steps, c) -> (batch, n, c)``."""

    rank, mode = 1, "average"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Averages each of ``output_size`` bins of the spatial axes, as AlexNet's 6x6 pooling.

    Example::

        y = AdaptiveAveragePooling2D(6)(x)  # (batch, 13, 13, 256) -> (batch, 6, 6, 256)
    """

    rank, mode = 2, "average"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Averages ``output_size`` bins of the three spatial axes."""

    rank, mode = 3, "average"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The maximum of each of ``output_size`` bins of the steps axis."""

    rank, mode = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """The maximum of each of ``output_size`` bins of the height and width axes."""

    rank, mode = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """The maximum of each of ``output_size`` bins of the three spatial axes."""

    rank, mode = 3, "max"
