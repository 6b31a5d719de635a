"""Regularization layers (dropout and noise)."""
from keraslite.layers.regularization.dropout import Dropout

__all__ = ["Dropout"]
