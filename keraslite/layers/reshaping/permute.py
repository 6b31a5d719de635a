"""Permute and RepeatVector: reorder the non-batch axes; repeat a vector along a new axis."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class Permute(Layer):
    """Permutes the non-batch axes; ``dims`` is 1-indexed (the batch axis is never moved).

    Example::

        keraslite.layers.Permute((2, 1))(np.zeros((4, 10, 64))).shape   # (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        expected = "a permutation of 1..n given as a tuple of ints"
        try:
            dims = tuple(dims)
        except TypeError:
            raise arg_utils.invalid("Permute", "dims", expected, dims) from None
        if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims) or \
                sorted(dims) != list(range(1, len(dims) + 1)):
            raise arg_utils.invalid("Permute", "dims", expected, dims)
        self.dims = tuple(int(d) for d in dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    Example::

        keraslite.layers.RepeatVector(3)(np.zeros((2, 5))).shape   # (2, 3, 5)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = arg_utils.positive_int("RepeatVector", "n", n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
