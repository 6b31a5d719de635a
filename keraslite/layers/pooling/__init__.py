"""Pooling layers."""
from keraslite.layers.pooling.base_pooling import BasePooling
from keraslite.layers.pooling.max_pooling2d import MaxPooling2D
from keraslite.layers.pooling.average_pooling2d import AveragePooling2D
from keraslite.layers.pooling.global_pooling import GlobalAveragePooling2D, GlobalMaxPooling2D

__all__ = ["BasePooling", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D"]
