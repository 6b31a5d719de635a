"""Activation: applies an activation function element-wise (or along the last axis)."""
from __future__ import annotations

import functools

from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


@functools.cache
def _shape_preserving():
    """The built-in activations whose output has the input's shape and float dtype (every one
    but glu, which halves an axis, and threshold, which needs more arguments)."""
    from keraslite import activations

    return frozenset(fn for name, fn in activations.ALL_OBJECTS.items()
                     if name not in ("glu", "threshold"))


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
        if self.activation not in _shape_preserving():
            self.output_spec_from_shape = False  # e.g. a user's function: traced

    output_spec_from_shape = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(),
                "activation": arg_utils.serialize("activations", self.activation)}
