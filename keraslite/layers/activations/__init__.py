"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax)."""
from keraslite.layers.activations.elu import ELU
from keraslite.layers.activations.leaky_relu import LeakyReLU
from keraslite.layers.activations.prelu import PReLU
from keraslite.layers.activations.relu import ReLU
from keraslite.layers.activations.softmax import Softmax

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"]
