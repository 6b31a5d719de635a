"""Add: the element-wise sum of a list of tensors."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers.merging.base_merge import BaseMerge


class Add(BaseMerge):
    """Sums its inputs, which must have the same shape (or broadcast to one).

    Example::

        keraslite.layers.Add()([np.ones((2, 3)), np.ones((2, 3))])   # all 2.0
    """

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out
