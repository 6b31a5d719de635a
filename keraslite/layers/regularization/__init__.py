"""Regularization layers (dropout and noise)."""
from keraslite.layers.regularization.dropout import Dropout
from keraslite.layers.regularization.noise import AlphaDropout, GaussianDropout, GaussianNoise
from keraslite.layers.regularization.spatial_dropout import (
    SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
)

__all__ = ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
           "GaussianNoise", "GaussianDropout", "AlphaDropout"]
