"""Convolution layers."""
from keraslite.layers.convolutional.base_conv import BaseConv
from keraslite.layers.convolutional.conv2d import Conv2D

__all__ = ["BaseConv", "Conv2D"]
