"""UnitNormalization: scales each example to unit L2 norm over ``axis``."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers.layer import Layer
from keraslite.layers.normalization._axes import check_axis_arg, resolve_axes


class UnitNormalization(Layer):
    """``x / sqrt(max(sum(x ** 2 over axis), 1e-12))``; ``axis`` is an int or a list.

    Example::

        y = keraslite.layers.UnitNormalization()(np.array([[3.0, 4.0]]))   # [[0.6, 0.8]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_arg("UnitNormalization", axis)
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = tuple(resolve_axes(self, self.axis, len(input_shape), input_shape))
        self.built = True

    def call(self, inputs):
        squares = ops.sum(ops.square(inputs), axis=self._axes, keepdims=True)
        return ops.multiply(inputs, ops.rsqrt(ops.maximum(squares, 1e-12)))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
