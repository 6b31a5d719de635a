"""Conv1D: 1-D convolution over sequences (``channels_last``: ``(batch, steps, c)``)."""
from __future__ import annotations

from keraslite.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution layer; see ``BaseConv`` for the arguments.

    ``padding="causal"`` pads only the start of the sequence, so output step ``t`` sees
    input steps ``<= t`` (the output has as many steps as the input when ``strides=1``).

    Example::

        conv = keraslite.layers.Conv1D(4, 3, padding="causal")
        conv(np.zeros((2, 10, 3))).shape    # (2, 10, 4); kernel (3, 3, 4)
    """

    _paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, groups=groups,
            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
