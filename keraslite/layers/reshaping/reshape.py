"""Reshape: gives each example a new shape (the batch axis is kept)."""
from __future__ import annotations

import math

from keraslite import ops
from keraslite.layers.layer import Layer
from keraslite.utils.allocation_budget import check_array, check_dimension
from keraslite.utils.text import short_repr


class Reshape(Layer):
    """Reshapes each example to ``target_shape``; one entry may be ``-1`` (inferred).

    Example::

        keraslite.layers.Reshape((3, -1))(np.zeros((2, 12))).shape   # (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        expected = "a tuple of positive ints with at most one -1"
        try:
            target = tuple(target_shape)
        except TypeError:
            raise ValueError(
                f"Reshape: argument `target_shape` must be {expected}. "
                f"Received: target_shape={short_repr(target_shape)}") from None
        ok = all(isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1)
                 for d in target) and sum(d == -1 for d in target) <= 1
        if not ok:
            raise ValueError(
                f"Reshape: argument `target_shape` must be {expected}. "
                f"Received: target_shape={short_repr(target_shape)}")
        for d in target:
            check_dimension("Reshape", "target_shape", d)
        check_array("Reshape", "its output", (None,) + tuple(max(d, 1) for d in target),
                    self.compute_dtype)
        self.target_shape = tuple(int(d) for d in target)

    def _resolve(self, input_shape):
        """The per-example output shape; -1 stays -1 only if the input size is unknown."""
        rest = tuple(input_shape)[1:]
        if any(d is None for d in rest):
            return self.target_shape
        total = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or total % known:
                raise self._mismatch(input_shape)
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise self._mismatch(input_shape)
        return self.target_shape

    def _mismatch(self, input_shape):
        # The batch axis is shown as None: the size seen here may be a stand-in used while
        # shapes are inferred (83), and the example's shape is what the user can fix.
        shape = (None,) + tuple(input_shape)[1:]
        return ValueError(
            f"Layer '{self.name}' cannot reshape an input of shape {shape} to "
            f"target_shape={self.target_shape}: the number of elements per example differs."
        )

    output_spec_from_shape = True

    def call(self, inputs):
        target = self._resolve(tuple(inputs.shape))
        if -1 in target:
            return ops.reshape(inputs, (ops.shape(inputs)[0],) + target)
        return ops.reshape(inputs, (-1,) + target)

    def compute_output_shape(self, input_shape):
        target = self._resolve(input_shape)
        return (input_shape[0],) + tuple(None if d == -1 else d for d in target)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
