"""Dot: the per-example dot product of two tensors along chosen axes."""
from __future__ import annotations

import string

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.merging.base_merge import BaseMerge, _shape_str


def _l2_normalize(x, axis):
    from keraslite import config

    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.multiply(x, ops.rsqrt(ops.maximum(square_sum, config.epsilon())))


class Dot(BaseMerge):
    """Contracts axis ``axes[0]`` of the first input with axis ``axes[1]`` of the second, for
    each example in the batch. The output keeps the other axes of the first input, then those
    of the second; a result with no axis but the batch axis gets shape ``(batch, 1)``.

    ``normalize=True`` L2-normalizes both inputs along the contracted axes first, so the
    result is the cosine similarity.

    Example::

        keraslite.layers.Dot(axes=1)([np.ones((2, 3)), np.ones((2, 3))])   # [[3.], [3.]]
    """

    _num_inputs = 2
    output_spec_from_shape = False  # its call is its own (an einsum), so it is traced

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        expected = "an int or a tuple of 2 ints"
        if isinstance(axes, bool):
            raise arg_utils.invalid("Dot", "axes", expected, axes)
        if not isinstance(axes, int):
            try:
                pair = tuple(axes)
            except TypeError:
                raise arg_utils.invalid("Dot", "axes", expected, axes) from None
            if len(pair) != 2 or not all(isinstance(a, int) and not isinstance(a, bool)
                                         for a in pair):
                raise arg_utils.invalid("Dot", "axes", expected, axes)
            axes = pair
        self.axes = axes
        self.normalize = bool(normalize)
        self.supports_masking = True  # as Keras; compute_mask still gives None

    def _resolved_axes(self, shapes):
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        out = []
        for a, s in zip(pair, shapes):
            rank = len(s)
            a = a % rank if a < 0 else a
            if not 1 <= a < rank:
                raise ValueError(
                    f"Layer '{self.name}' (Dot) got axes={self.axes!r}, which does not name a "
                    f"non-batch axis of inputs with shapes {_shape_str(shapes)}.")
            out.append(a)
        return tuple(out)

    def _output_shape(self, shapes):
        s1, s2 = (tuple(s) for s in shapes)
        a1, a2 = self._resolved_axes(shapes)
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise ValueError(
                f"Layer '{self.name}' (Dot) needs the contracted axes to have the same size. "
                f"Received: size {s1[a1]} (axis {a1}) and {s2[a2]} (axis {a2}) for "
                f"input_shape={_shape_str(shapes)}")
        if s1[0] is not None and s2[0] is not None and s1[0] != s2[0]:
            raise ValueError(
                f"Layer '{self.name}' (Dot) cannot merge tensors with different batch sizes. "
                f"Received: input_shape={_shape_str(shapes)}")
        out = (s1[0] if s1[0] is not None else s2[0],)
        out += tuple(d for i, d in enumerate(s1) if i not in (0, a1))
        out += tuple(d for i, d in enumerate(s2) if i not in (0, a2))
        return out if len(out) > 1 else out + (1,)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"Layer '{self.name}' (Dot) must be called on a list of 2 tensors. "
                f"Received: a single tensor of shape {tuple(inputs.shape)}")
        self._check_list([tuple(x.shape) for x in inputs])
        x1, x2 = inputs
        a1, a2 = self._resolved_axes([tuple(x1.shape), tuple(x2.shape)])
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        r1, r2 = len(x1.shape), len(x2.shape)
        letters = iter(string.ascii_letters)
        batch, contracted = next(letters), next(letters)
        sub1 = [batch] + [contracted if i == a1 else next(letters) for i in range(1, r1)]
        sub2 = [batch] + [contracted if i == a2 else next(letters) for i in range(1, r2)]
        result = [batch] + [c for c in sub1[1:] if c != contracted] + \
            [c for c in sub2[1:] if c != contracted]
        out = ops.einsum(f"{''.join(sub1)},{''.join(sub2)}->{''.join(result)}", x1, x2)
        if len(result) == 1:
            out = ops.expand_dims(out, 1)
        return out

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
