"""Core layers: Input, Dense, Activation, and the other everyday building blocks."""
from keraslite.layers.core.input_layer import Input, InputLayer
from keraslite.layers.core.dense import Dense
from keraslite.layers.core.activation import Activation

__all__ = ["Input", "InputLayer", "Dense", "Activation"]
