"""BaseConv: the N-D convolution layer that Conv1D/Conv2D/Conv3D specialize by ``rank``."""
from __future__ import annotations

from keraslite import ops
from keraslite.backends import nn as backend_nn
from keraslite.layers import arg_utils
from keraslite.layers.convolutional import conv_args
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class BaseConv(conv_args.ChannelsMixin, Layer):
    """``activation(conv(inputs, kernel) + bias)`` over ``rank`` spatial axes.

    The kernel has shape ``kernel_size + (in_channels // groups, filters)`` and the bias
    ``(filters,)``, as in Keras, so weights move between the two with ``set_weights``.
    """

    output_spec_from_shape = True

    _paddings = ("valid", "same")  # Conv1D adds "causal"

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        cls = type(self).__name__
        self.rank = rank
        self.filters = arg_utils.positive_int(cls, "filters", filters)
        self.groups = arg_utils.positive_int(cls, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(
                f"{cls}: argument `filters` must be divisible by `groups`. "
                f"Received: filters={filters!r}, groups={groups!r}")
        self.kernel_size, self.strides, self.dilation_rate = conv_args.window_args(
            cls, rank, kernel_size, strides, dilation_rate)
        self.padding = arg_utils.standardize_padding(cls, padding, self._paddings)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        in_channels = self._known_channels(input_shape)
        if in_channels % self.groups:
            raise ValueError(
                f"Layer '{self.name}' expected the number of input channels to be divisible by "
                f"groups={self.groups}. Received: input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(
            shape=self.kernel_size + (in_channels // self.groups, self.filters),
            initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        self.built = True

    def _causal_inputs(self, inputs):
        """``padding="causal"``: zeros before the first step, then a "valid" convolution."""
        span = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        pad = ((0, 0), (span, 0), (0, 0)) if self.data_format == "channels_last" \
            else ((0, 0), (0, 0), (span, 0))
        return ops.pad(inputs, pad), "valid"

    def call(self, inputs):
        padding = self.padding
        if padding == "causal":
            inputs, padding = self._causal_inputs(inputs)
        x = ops.conv(inputs, self._read(self.kernel), strides=self.strides, padding=padding,
                     data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.bias is not None:
            bias = self._read(self.bias)
            if self.data_format == "channels_first":
                x = ops.add(x, ops.reshape(bias, (1, self.filters) + (1,) * self.rank))
            else:
                x = backend_nn.bias_add(x, ops.convert_to_tensor(bias))
        return self.activation(x) if self.activation is not None else x

    def _read(self, variable):
        """The variable's value in the compute dtype (mixed precision keeps float32 weights)."""
        return arg_utils.autocast(variable, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        spatial = tuple(
            arg_utils.conv_output_length(input_shape[first + i], self.kernel_size[i],
                                         self.strides[i],
                                         "same" if self.padding == "causal" else self.padding,
                                         self.dilation_rate[i])
            for i in range(self.rank))
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (self.filters,)
        return (input_shape[0], self.filters) + spatial

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": arg_utils.serialize("activations", self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
        }
