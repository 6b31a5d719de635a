"""Rescaling: ``inputs * scale + offset`` (e.g. ``scale=1/255`` maps pixels to [0, 1])."""
from __future__ import annotations

import numbers

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def _check_factor(name, value):
    if isinstance(value, bool):
        raise arg_utils.invalid("Rescaling", name, "a number or a list of numbers", value)
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        arr = np.asarray(value, dtype="float32")
    except (TypeError, ValueError):
        raise arg_utils.invalid("Rescaling", name, "a number or a list of numbers", value) \
            from None
    return arr.tolist()


class Rescaling(Layer):
    """Multiplies the input by ``scale`` and adds ``offset`` (per channel when given lists).

    Example::

        y = keraslite.layers.Rescaling(1.0 / 127.5, offset=-1)(images)   # [0, 255] -> [-1, 1]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _check_factor("scale", scale)
        self.offset = _check_factor("offset", offset)
        self.supports_masking = True
        if not isinstance(self.scale, float) or not isinstance(self.offset, float):
            # per-channel factors broadcast against the input: traced
            self.output_spec_from_shape = False

    output_spec_from_shape = True

    def call(self, inputs):
        dtype = self.compute_dtype
        if "float" not in ops.standardize_dtype(inputs.dtype):
            inputs = ops.cast(inputs, dtype)
        scale = ops.cast(np.asarray(self.scale, "float32"), inputs.dtype)
        offset = ops.cast(np.asarray(self.offset, "float32"), inputs.dtype)
        return ops.add(ops.multiply(inputs, scale), offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
