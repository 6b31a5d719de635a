"""Conv3D: 3-D convolution over volumes (``channels_last``: ``(batch, d, h, w, c)``)."""
from __future__ import annotations

from keraslite.layers.convolutional.base_conv import BaseConv


class Conv3D(BaseConv):
    """3-D convolution layer; see ``BaseConv`` for the arguments.

    Example::

        conv = keraslite.layers.Conv3D(4, 3)
        conv(np.zeros((1, 5, 5, 5, 2))).shape    # (1, 3, 3, 3, 4); kernel (3, 3, 3, 2, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=3, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, groups=groups,
            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
