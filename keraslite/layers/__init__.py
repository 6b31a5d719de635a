"""The built-in layers (Keras 3 names, arguments and weight layouts)."""
from keraslite.layers.layer import Layer
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.core.input_layer import Input, InputLayer
from keraslite.layers.core.dense import Dense
from keraslite.layers.core.activation import Activation
from keraslite.layers.regularization.dropout import Dropout
from keraslite.layers.reshaping.flatten import Flatten
from keraslite.layers.reshaping.reshape import Reshape
from keraslite.layers.reshaping.zero_padding2d import ZeroPadding2D
from keraslite.layers.convolutional.base_conv import BaseConv
from keraslite.layers.convolutional.conv2d import Conv2D
from keraslite.layers.pooling.base_pooling import BasePooling
from keraslite.layers.pooling.max_pooling2d import MaxPooling2D
from keraslite.layers.pooling.average_pooling2d import AveragePooling2D
from keraslite.layers.pooling.global_pooling import GlobalAveragePooling2D, GlobalMaxPooling2D
from keraslite.layers.normalization.batch_normalization import BatchNormalization
from keraslite.layers.merging.base_merge import BaseMerge
from keraslite.layers.merging.add import Add
from keraslite.layers.merging.concatenate import Concatenate

__all__ = [
    "Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten",
    "Reshape", "ZeroPadding2D", "BaseConv", "Conv2D", "BasePooling", "MaxPooling2D",
    "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "BatchNormalization",
    "BaseMerge", "Add", "Concatenate",
]
