"""Convolution layers."""
from keraslite.layers.convolutional.base_conv import BaseConv
from keraslite.layers.convolutional.conv1d import Conv1D
from keraslite.layers.convolutional.conv2d import Conv2D
from keraslite.layers.convolutional.conv3d import Conv3D
from keraslite.layers.convolutional.base_conv_transpose import BaseConvTranspose
from keraslite.layers.convolutional.conv_transpose import (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
from keraslite.layers.convolutional.depthwise_conv import (
    BaseDepthwiseConv, DepthwiseConv1D, DepthwiseConv2D)
from keraslite.layers.convolutional.separable_conv import (
    BaseSeparableConv, SeparableConv1D, SeparableConv2D)

# Keras' alias names
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

__all__ = [
    "BaseConv", "Conv1D", "Conv2D", "Conv3D", "BaseConvTranspose", "Conv1DTranspose",
    "Conv2DTranspose", "Conv3DTranspose", "BaseDepthwiseConv", "DepthwiseConv1D",
    "DepthwiseConv2D", "BaseSeparableConv", "SeparableConv1D", "SeparableConv2D",
    "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
    "Convolution2DTranspose", "Convolution3DTranspose", "SeparableConvolution1D",
    "SeparableConvolution2D",
]
