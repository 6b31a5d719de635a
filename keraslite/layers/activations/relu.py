"""ReLU: rectified linear unit with optional cap, threshold and leak."""
from __future__ import annotations

import numbers

from keraslite import activations
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def check_number(layer_cls, arg, value, allow_none=False):
    """A non-negative float (or None where allowed), else a ValueError naming the argument."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        expected = "a non-negative float" + (" or None" if allow_none else "")
        raise arg_utils.invalid(layer_cls, arg, expected, value)
    return float(value)


class ReLU(Layer):
    """``max_value`` for ``x >= max_value``, ``x`` for ``threshold <= x < max_value``, and
    ``negative_slope * (x - threshold)`` below ``threshold``.

    Example::

        keraslite.layers.ReLU(max_value=6.0)(np.array([-1.0, 3.0, 9.0]))   # [0., 3., 6.]
    """

    output_spec_from_shape = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = check_number("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = check_number("ReLU", "negative_slope", negative_slope)
        self.threshold = check_number("ReLU", "threshold", threshold)
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
