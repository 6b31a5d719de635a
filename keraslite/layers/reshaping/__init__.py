"""Reshaping layers."""
from keraslite.layers.reshaping.flatten import Flatten
from keraslite.layers.reshaping.reshape import Reshape
from keraslite.layers.reshaping.zero_padding2d import ZeroPadding2D
from keraslite.layers.reshaping.zero_padding import ZeroPadding1D, ZeroPadding3D
from keraslite.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from keraslite.layers.reshaping.up_sampling import UpSampling1D, UpSampling2D, UpSampling3D
from keraslite.layers.reshaping.permute import Permute, RepeatVector

__all__ = ["Flatten", "Reshape", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
           "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D",
           "UpSampling3D", "Permute", "RepeatVector"]
