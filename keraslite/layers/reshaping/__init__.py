"""Reshaping layers."""
from keraslite.layers.reshaping.flatten import Flatten
from keraslite.layers.reshaping.reshape import Reshape
from keraslite.layers.reshaping.zero_padding2d import ZeroPadding2D

__all__ = ["Flatten", "Reshape", "ZeroPadding2D"]
