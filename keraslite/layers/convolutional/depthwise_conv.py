"""Depthwise convolutions: each input channel is convolved with its own filters."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.convolutional import conv_args
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class BaseDepthwiseConv(conv_args.ChannelsMixin, Layer):
    """``activation(depthwise_conv(inputs, kernel) + bias)`` over ``rank`` spatial axes.

    The kernel has shape ``kernel_size + (in_channels, depth_multiplier)`` and the bias
    ``(in_channels * depth_multiplier,)``, as in Keras.
    """

    output_spec_from_shape = True

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        cls = type(self).__name__
        self.rank = rank
        self.depth_multiplier = arg_utils.positive_int(cls, "depth_multiplier", depth_multiplier)
        self.kernel_size, self.strides, self.dilation_rate = conv_args.window_args(
            cls, rank, kernel_size, strides, dilation_rate)
        self.padding = arg_utils.standardize_padding(cls, padding)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = arg_utils.get("regularizers", depthwise_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.depthwise_constraint = arg_utils.get("constraints", depthwise_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        in_channels = self._known_channels(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, name="kernel",
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(in_channels * self.depth_multiplier,), initializer=self.bias_initializer,
                name="bias", regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        self.built = True

    def call(self, inputs):
        x = ops.depthwise_conv(
            inputs, arg_utils.autocast(self.kernel, self.compute_dtype), strides=self.strides,
            padding=self.padding, data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.bias is not None:
            bias = arg_utils.autocast(self.bias, self.compute_dtype)
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (1, -1) + (1,) * self.rank)
            x = ops.add(x, bias)
        return self.activation(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        spatial = tuple(
            arg_utils.conv_output_length(input_shape[first + i], self.kernel_size[i],
                                         self.strides[i], self.padding, self.dilation_rate[i])
            for i in range(self.rank))
        channels = input_shape[self._channel_axis]
        channels = None if channels is None else channels * self.depth_multiplier
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (channels,)
        return (input_shape[0], channels) + spatial

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": arg_utils.serialize("activations", self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": arg_utils.serialize("initializers",
                                                         self.depthwise_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "depthwise_regularizer": arg_utils.serialize("regularizers",
                                                         self.depthwise_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "depthwise_constraint": arg_utils.serialize("constraints", self.depthwise_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
        }


class DepthwiseConv1D(BaseDepthwiseConv):
    """1-D depthwise convolution.

    Example::

        keraslite.layers.DepthwiseConv1D(3, depth_multiplier=2)(np.zeros((1, 8, 4))).shape
        # (1, 6, 8); kernel (3, 4, 2)
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=1, depth_multiplier=depth_multiplier, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)


class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution.

    Example::

        keraslite.layers.DepthwiseConv2D(3)(np.zeros((1, 8, 8, 4))).shape   # (1, 6, 6, 4)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=2, depth_multiplier=depth_multiplier, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
