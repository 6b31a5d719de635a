"""BasePooling: max or average pooling over ``rank`` spatial axes."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class BasePooling(Layer):
    """Slides a ``pool_size`` window with ``strides`` (default: ``pool_size``) and keeps the
    max or the mean of each window. ``padding="same"`` averages only over real (unpadded)
    values, as Keras does."""

    output_spec_from_shape = True

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max", padding="valid",
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_dimensions = pool_dimensions
        self.pool_mode = pool_mode
        self.pool_size = arg_utils.normalize_tuple(cls, "pool_size", pool_size, pool_dimensions)
        strides = self.pool_size if strides is None else strides
        self.strides = arg_utils.normalize_tuple(cls, "strides", strides, pool_dimensions)
        self.padding = arg_utils.standardize_padding(cls, padding)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def call(self, inputs):
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(inputs, pool_size=self.pool_size, strides=self.strides,
                    padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        shape = list(input_shape)
        for i in range(self.pool_dimensions):
            shape[first + i] = arg_utils.conv_output_length(
                input_shape[first + i], self.pool_size[i], self.strides[i], self.padding)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}
