"""BaseConvTranspose: the N-D transposed convolution behind Conv1D/2D/3DTranspose."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.convolutional import conv_args
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


def transpose_output_length(length, kernel, stride, padding, output_padding, dilation):
    """Length of one spatial axis after a transposed convolution (Keras' rule)."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        if padding == "same":
            return length * stride
        return length * stride + max(span - stride, 0)
    pad = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * pad + output_padding


class BaseConvTranspose(conv_args.ChannelsMixin, Layer):
    """``activation(conv_transpose(inputs, kernel) + bias)`` over ``rank`` spatial axes.

    The kernel has shape ``kernel_size + (filters, in_channels)`` as in Keras.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        cls = type(self).__name__
        self.rank = rank
        self.filters = arg_utils.positive_int(cls, "filters", filters)
        self.kernel_size, self.strides, self.dilation_rate = conv_args.window_args(
            cls, rank, kernel_size, strides, dilation_rate, strided_dilation_allowed=True)
        self.padding = arg_utils.standardize_padding(cls, padding)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = arg_utils.normalize_tuple(
                cls, "output_padding", output_padding, rank, allow_zero=True)
            for op, s in zip(self.output_padding, self.strides):
                if op >= s:
                    raise ValueError(
                        f"{cls}: argument `output_padding` must be smaller than `strides` on "
                        f"every axis. Received: output_padding={output_padding!r}, "
                        f"strides={self.strides}")
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
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, in_channels),
            initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        self.built = True

    def call(self, inputs):
        kernel = arg_utils.autocast(self.kernel, self.compute_dtype)
        if self.padding == "same" and self.output_padding is not None:
            x = self._same_with_output_padding(inputs, kernel)
        else:
            x = ops.conv_transpose(
                inputs, kernel, strides=self.strides, padding=self.padding,
                output_padding=self.output_padding, data_format=self.data_format,
                dilation_rate=self.dilation_rate)
        if self.bias is not None:
            bias = arg_utils.autocast(self.bias, self.compute_dtype)
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (1, self.filters) + (1,) * self.rank)
            x = ops.add(x, bias)
        return self.activation(x) if self.activation is not None else x

    def _same_with_output_padding(self, inputs, kernel):
        """"same" padding with an explicit ``output_padding``: the full ("valid") result,
        cropped as Keras does: ``total = (n - 1) * stride + span - out_len`` entries removed,
        ``total // 2`` of them at the start."""
        full = ops.conv_transpose(inputs, kernel, strides=self.strides, padding="valid",
                                  data_format=self.data_format, dilation_rate=self.dilation_rate)
        first = 1 if self.data_format == "channels_last" else 2
        index = [slice(None)] * (self.rank + 2)
        for i in range(self.rank):
            n = inputs.shape[first + i]
            span = (self.kernel_size[i] - 1) * self.dilation_rate[i] + 1
            length = transpose_output_length(n, self.kernel_size[i], self.strides[i], "same",
                                             self.output_padding[i], self.dilation_rate[i])
            start = max((n - 1) * self.strides[i] + span - length, 0) // 2
            index[first + i] = slice(start, start + length)
        return full[tuple(index)]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        out_pad = self.output_padding or (None,) * self.rank
        spatial = tuple(
            transpose_output_length(input_shape[first + i], self.kernel_size[i],
                                    self.strides[i], self.padding, out_pad[i],
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
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
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
