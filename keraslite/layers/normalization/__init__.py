"""Normalization layers."""
from keraslite.layers.normalization.batch_normalization import BatchNormalization
from keraslite.layers.normalization.group_normalization import GroupNormalization
from keraslite.layers.normalization.layer_normalization import LayerNormalization
from keraslite.layers.normalization.rms_normalization import RMSNormalization
from keraslite.layers.normalization.spectral_normalization import SpectralNormalization
from keraslite.layers.normalization.unit_normalization import UnitNormalization

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization", "RMSNormalization",
           "SpectralNormalization", "UnitNormalization"]
