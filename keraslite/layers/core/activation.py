"""Activation: applies an activation function element-wise (or along the last axis)."""
from __future__ import annotations

from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class Activation(Layer):
    """Applies ``activation`` to its input.

    Example::

        keraslite.layers.Activation("relu")(np.array([-1.0, 2.0]))   # [0., 2.]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations

        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(),
                "activation": arg_utils.serialize("activations", self.activation)}
