"""BaseMerge: layers that combine a list of tensors into one (Add, Concatenate, ...)."""
from __future__ import annotations

from keraslite.layers.layer import Layer


def _shape_str(shapes):
    return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"


class BaseMerge(Layer):
    """Takes a list of inputs; subclasses define ``_merge_function(inputs)``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_list(self, shapes):
        ok = isinstance(shapes, (list, tuple)) and len(shapes) >= 1 and all(
            isinstance(s, (list, tuple)) for s in shapes)
        if not ok:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of "
                f"tensors. Received: input_shape={shapes}")

    def build(self, input_shape):
        self._check_list(input_shape)
        self._output_shape(input_shape)  # validates the shapes
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of "
                f"tensors. Received: a single tensor of shape {tuple(inputs.shape)}")
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _output_shape(self, shapes):
        """Broadcasts the shapes (as element-wise merges do); raises on a mismatch."""
        rank = max(len(s) for s in shapes)
        out = []
        for i in range(rank):
            dims = [s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0]
            known = {d for d in dims if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}) needs inputs of the same shape "
                    f"(or shapes that broadcast). Received: input_shape={_shape_str(shapes)}")
            if known:
                out.append(known.pop())
            elif any(d is None for d in dims):
                out.append(None)
            else:
                out.append(1)
        return tuple(out)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        return self._output_shape(input_shape)
