"""Concatenate: joins a list of tensors along one axis."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.merging.base_merge import BaseMerge, _shape_str


class Concatenate(BaseMerge):
    """Concatenates its inputs along ``axis``; all other axes must match.

    Example::

        keraslite.layers.Concatenate()([np.ones((2, 3)), np.ones((2, 4))]).shape   # (2, 7)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise arg_utils.invalid("Concatenate", "axis", "an int", axis)
        self.axis = int(axis)

    def _output_shape(self, shapes):
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        mismatch = ValueError(
            f"Layer '{self.name}' (Concatenate) needs inputs of the same rank whose shapes match "
            f"except on the concatenation axis (axis={self.axis}). "
            f"Received: input_shape={_shape_str(shapes)}")
        if not 0 <= axis < rank or any(len(s) != rank for s in shapes):
            raise mismatch
        out = list(shapes[0])
        for s in shapes[1:]:
            for i in range(rank):
                if i == axis:
                    continue
                if out[i] is None:
                    out[i] = s[i]
                elif s[i] is not None and s[i] != out[i]:
                    raise mismatch
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)

    def _merge_function(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
