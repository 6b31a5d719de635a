"""Element-wise merges: Subtract, Multiply, Average, Maximum, Minimum."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers.merging.base_merge import BaseMerge


def _fold(fn, inputs):
    out = inputs[0]
    for x in inputs[1:]:
        out = fn(out, x)
    return out


class Subtract(BaseMerge):
    """``inputs[0] - inputs[1]``; takes exactly two inputs.

    Example::

        keraslite.layers.Subtract()([np.ones((2, 3)), np.ones((2, 3))])   # all 0.0
    """

    _num_inputs = 2

    def _merge_function(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(BaseMerge):
    """The element-wise product of its inputs.

    Example::

        keraslite.layers.Multiply()([np.full((2, 3), 2.0), np.full((2, 3), 3.0)])   # all 6.0
    """

    def _merge_function(self, inputs):
        return _fold(ops.multiply, inputs)


class Average(BaseMerge):
    """The element-wise mean of its inputs.

    Example::

        keraslite.layers.Average()([np.zeros((2, 3)), np.ones((2, 3))])   # all 0.5
    """

    def _merge_function(self, inputs):
        return ops.divide(_fold(ops.add, inputs), len(inputs))


class Maximum(BaseMerge):
    """The element-wise maximum of its inputs.

    Example::

        keraslite.layers.Maximum()([np.zeros((2, 3)), np.ones((2, 3))])   # all 1.0
    """

    def _merge_function(self, inputs):
        return _fold(ops.maximum, inputs)


class Minimum(BaseMerge):
    """The element-wise minimum of its inputs.

    Example::

        keraslite.layers.Minimum()([np.zeros((2, 3)), np.ones((2, 3))])   # all 0.0
    """

    def _merge_function(self, inputs):
        return _fold(ops.minimum, inputs)
