"""Flatten: collapses every axis but the batch axis into one."""
from __future__ import annotations

import math

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class Flatten(Layer):
    """Reshapes ``(batch, d1, d2, ...)`` to ``(batch, d1 * d2 * ...)``.

    With ``data_format="channels_first"`` the channel axis is moved last first, so the flat
    order matches a ``channels_last`` model's (useful when porting weights).

    Example::

        keraslite.layers.Flatten()(np.zeros((2, 3, 4))).shape   # (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = arg_utils.standardize_data_format("Flatten", data_format)
        self.input_spec = InputSpec(min_ndim=1)

    output_spec_from_shape = True

    def call(self, inputs):
        x = inputs
        rank = len(x.shape)
        if self.data_format == "channels_first" and rank > 2:
            x = ops.transpose(x, (0,) + tuple(range(2, rank)) + (1,))
        rest = tuple(x.shape[1:])
        if all(d is not None for d in rest):
            return ops.reshape(x, (-1, math.prod(rest)))
        return ops.reshape(x, (ops.shape(x)[0], -1))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape)[1:]
        flat = math.prod(rest) if all(d is not None for d in rest) else None
        return (input_shape[0], flat)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
