"""Masking: marks time steps whose features all equal ``mask_value`` as padding."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class Masking(Layer):
    """Zeroes the time steps whose features all equal ``mask_value`` and outputs a mask
    ``any(inputs != mask_value, axis=-1)`` for the layers that follow.

    Example::

        x = np.array([[[1.0], [0.0]]])
        keraslite.layers.Masking(0.0)(x)   # mask [[True, False]] travels to the next layer
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise arg_utils.invalid("Masking", "mask_value", "a number", mask_value)
        self.mask_value = float(mask_value)
        self.supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.multiply(inputs, ops.cast(keep, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
