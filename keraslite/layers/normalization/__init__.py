"""Normalization layers."""
from keraslite.layers.normalization.batch_normalization import BatchNormalization

__all__ = ["BatchNormalization"]
