"""Argument handling shared by every convolution layer (regular, transposed, depthwise,
separable): the window arguments, the channel axis and the check that it is known."""
from __future__ import annotations

from keraslite.layers import arg_utils


def window_args(cls, rank, kernel_size, strides, dilation_rate, strided_dilation_allowed=False):
    """``(kernel_size, strides, dilation_rate)`` as ``rank``-tuples, validated."""
    kernel_size = arg_utils.normalize_tuple(cls, "kernel_size", kernel_size, rank)
    strides = arg_utils.normalize_tuple(cls, "strides", strides, rank)
    dilation_rate = arg_utils.normalize_tuple(cls, "dilation_rate", dilation_rate, rank)
    if not strided_dilation_allowed and max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            f"{cls}: `strides` > 1 cannot be combined with `dilation_rate` > 1. "
            f"Received: strides={strides}, dilation_rate={dilation_rate}")
    return kernel_size, strides, dilation_rate


class ChannelsMixin:
    """The channel axis of ``self.data_format`` and the input's channel count."""

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _known_channels(self, input_shape, what="kernel"):
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known channel axis to create its {what}. "
                f"Received: input_shape={tuple(input_shape)}")
        return in_channels
