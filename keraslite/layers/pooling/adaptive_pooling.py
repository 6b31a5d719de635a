"""Adaptive average pooling: a fixed output size whatever the input size (PyTorch's bins)."""
from __future__ import annotations

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


def _bin_matrix(size: int, out: int) -> np.ndarray:
    """(out, size) averaging weights: bin i covers [floor(i*size/out), ceil((i+1)*size/out))."""
    matrix = np.zeros((out, size), dtype="float32")
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class AdaptiveAveragePooling2D(Layer):
    """Averages each of ``output_size`` bins of the spatial axes, as AlexNet's 6x6 pooling.

    The bins of an axis of length ``n`` pooled to ``m`` are ``[floor(i*n/m), ceil((i+1)*n/m))``,
    so they overlap when ``m`` does not divide ``n``. The pooling is two small matmuls with
    constant bin matrices: one fused op on every backend instead of ``m*m`` slices.

    Example::

        y = AdaptiveAveragePooling2D(6)(x)  # (batch, 13, 13, 256) -> (batch, 6, 6, 256)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size, output_size)
        if (not isinstance(output_size, (tuple, list)) or len(output_size) != 2
                or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                           for d in output_size)):
            raise arg_utils.invalid(name, "output_size", "a positive int or a tuple of 2 "
                                    "positive ints", output_size)
        self.output_size = tuple(output_size)
        self.data_format = arg_utils.standardize_data_format(name, data_format)
        self.input_spec = InputSpec(ndim=4)

    def _spatial_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def call(self, inputs):
        h_axis, w_axis = self._spatial_axes()
        height, width = inputs.shape[h_axis], inputs.shape[w_axis]
        if height is None or width is None:
            raise ValueError(f"Layer '{self.name}' needs the height and width of its input to "
                             f"be known. Received: shape={tuple(inputs.shape)}")
        rows = ops.convert_to_tensor(_bin_matrix(height, self.output_size[0]), inputs.dtype)
        cols = ops.convert_to_tensor(_bin_matrix(width, self.output_size[1]), inputs.dtype)
        if self.data_format == "channels_last":
            return ops.einsum("bhwc,ih,jw->bijc", inputs, rows, cols)
        return ops.einsum("bchw,ih,jw->bcij", inputs, rows, cols)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = self._spatial_axes()
        shape[h_axis], shape[w_axis] = self.output_size
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}
