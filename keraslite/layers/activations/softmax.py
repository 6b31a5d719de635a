"""Softmax: normalized exponentials along one or more axes, with an optional mask."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def _large_negative(dtype):
    """Added to masked logits: far below any real logit, yet finite in ``dtype``."""
    return -3e4 if dtype == "float16" else -1e9


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints).

    Where ``mask`` is False the output is zero (``mask`` broadcasts against the input), so
    padding gets no probability.

    Example::

        probs = keraslite.layers.Softmax()(logits, mask=np.array([[True, True, False]]))
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis or not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
                raise arg_utils.invalid("Softmax", "axis", "an int or a tuple of ints", axis)
            self.axis = tuple(int(a) for a in axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise arg_utils.invalid("Softmax", "axis", "an int or a tuple of ints", axis)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            keep = ops.cast(mask, inputs.dtype)
            dtype = ops.standardize_dtype(inputs.dtype)
            inputs = ops.add(inputs, ops.multiply(1.0 - keep, _large_negative(dtype)))
        if isinstance(self.axis, tuple):
            outputs = ops.exp(ops.subtract(
                inputs, ops.logsumexp(inputs, axis=self.axis, keepdims=True)))
        else:
            outputs = ops.softmax(inputs, axis=self.axis)
        if mask is not None:
            outputs = ops.multiply(outputs, keep)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
