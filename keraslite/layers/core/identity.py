"""Identity: returns its input unchanged (a placeholder layer)."""
from __future__ import annotations

from keraslite.layers.layer import Layer


class Identity(Layer):
    """Returns its input (any structure) unchanged; masks pass through.

    Example::

        keraslite.layers.Identity()(np.ones((2, 3)))   # the same values
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
