"""Separable convolutions: a depthwise convolution followed by a 1x1 (pointwise) one."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.convolutional import conv_args
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class BaseSeparableConv(conv_args.ChannelsMixin, Layer):
    """``activation(pointwise(depthwise(inputs)) + bias)`` over ``rank`` spatial axes.

    Weights, in Keras' order: ``depthwise_kernel`` ``kernel_size + (in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1,) * rank + (in * depth_multiplier, filters)``, ``bias``
    ``(filters,)``.
    """

    output_spec_from_shape = True

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        cls = type(self).__name__
        self.rank = rank
        self.depth_multiplier = arg_utils.positive_int(cls, "depth_multiplier", depth_multiplier)
        self.filters = arg_utils.positive_int(cls, "filters", filters)
        self.kernel_size, self.strides, self.dilation_rate = conv_args.window_args(
            cls, rank, kernel_size, strides, dilation_rate)
        self.padding = arg_utils.standardize_padding(cls, padding)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = arg_utils.get("regularizers", depthwise_regularizer)
        self.pointwise_regularizer = arg_utils.get("regularizers", pointwise_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.depthwise_constraint = arg_utils.get("constraints", depthwise_constraint)
        self.pointwise_constraint = arg_utils.get("constraints", pointwise_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        in_channels = self._known_channels(input_shape, "kernels")
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, name="depthwise_kernel",
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (in_channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name="pointwise_kernel",
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        self.built = True

    def call(self, inputs):
        x = ops.separable_conv(
            inputs, arg_utils.autocast(self.depthwise_kernel, self.compute_dtype),
            arg_utils.autocast(self.pointwise_kernel, self.compute_dtype), strides=self.strides,
            padding=self.padding, data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.bias is not None:
            bias = arg_utils.autocast(self.bias, self.compute_dtype)
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (1, self.filters) + (1,) * self.rank)
            x = ops.add(x, bias)
        return self.activation(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        spatial = tuple(
            arg_utils.conv_output_length(input_shape[first + i], self.kernel_size[i],
                                         self.strides[i], self.padding, self.dilation_rate[i])
            for i in range(self.rank))
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (self.filters,)
        return (input_shape[0], self.filters) + spatial

    def get_config(self):
        ser = arg_utils.serialize
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": ser("activations", self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": ser("initializers", self.depthwise_initializer),
            "pointwise_initializer": ser("initializers", self.pointwise_initializer),
            "bias_initializer": ser("initializers", self.bias_initializer),
            "depthwise_regularizer": ser("regularizers", self.depthwise_regularizer),
            "pointwise_regularizer": ser("regularizers", self.pointwise_regularizer),
            "bias_regularizer": ser("regularizers", self.bias_regularizer),
            "activity_regularizer": ser("regularizers", self.activity_regularizer),
            "depthwise_constraint": ser("constraints", self.depthwise_constraint),
            "pointwise_constraint": ser("constraints", self.pointwise_constraint),
            "bias_constraint": ser("constraints", self.bias_constraint),
        }


class SeparableConv1D(BaseSeparableConv):
    """1-D separable convolution.

    Example::

        keraslite.layers.SeparableConv1D(4, 3)(np.zeros((1, 8, 2))).shape   # (1, 6, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            1, depth_multiplier, filters, kernel_size, strides, padding, data_format,
            dilation_rate, activation, use_bias, depthwise_initializer, pointwise_initializer,
            bias_initializer, depthwise_regularizer, pointwise_regularizer, bias_regularizer,
            activity_regularizer, depthwise_constraint, pointwise_constraint, bias_constraint,
            **kwargs)


class SeparableConv2D(BaseSeparableConv):
    """2-D separable convolution.

    Example::

        keraslite.layers.SeparableConv2D(4, 3)(np.zeros((1, 8, 8, 2))).shape   # (1, 6, 6, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            2, depth_multiplier, filters, kernel_size, strides, padding, data_format,
            dilation_rate, activation, use_bias, depthwise_initializer, pointwise_initializer,
            bias_initializer, depthwise_regularizer, pointwise_regularizer, bias_regularizer,
            activity_regularizer, depthwise_constraint, pointwise_constraint, bias_constraint,
            **kwargs)
