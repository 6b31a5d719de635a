"""BaseMerge: layers that combine a list of tensors into one (Add, Concatenate, ...)."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers.layer import Layer


def _shape_str(shapes):
    return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"


class BaseMerge(Layer):
    """Takes a list of inputs; subclasses define ``_merge_function(inputs)``.

    Element-wise merges broadcast as Keras does: the batch axes must agree, and the other axes
    are aligned from the right (a lower-rank input gains size-1 axes after the batch axis).
    The output mask is the logical AND of the input masks.
    """

    _num_inputs = None  # an exact number of inputs (Subtract, Dot), or None for "at least 1"
    # Element-wise merges and Concatenate answer symbolic calls from ``_output_shape``; a
    # subclass overriding one of these methods is traced instead.
    output_spec_from_shape = True
    _shape_answer_methods = ("call", "compute_output_shape", "_merge_function", "_output_shape")

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
        if self._num_inputs is not None and len(shapes) != self._num_inputs:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) must be called on exactly "
                f"{self._num_inputs} inputs. Received: {len(shapes)} inputs with "
                f"input_shape={_shape_str(shapes)}")

    def build(self, input_shape):
        self._check_list(input_shape)
        self._output_shape(input_shape)  # validates the shapes
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of "
                f"tensors. Received: a single tensor of shape {tuple(inputs.shape)}")
        inputs = list(inputs)
        self._check_list([tuple(x.shape) for x in inputs])
        return self._merge_function(self._align_ranks(inputs))

    @staticmethod
    def _align_ranks(inputs):
        """Inserts size-1 axes after the batch axis so every input has the highest rank."""
        rank = max(len(x.shape) for x in inputs)
        out = []
        for x in inputs:
            for _ in range(rank - len(x.shape)):
                x = ops.expand_dims(x, 1)
            out.append(x)
        return out

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _output_shape(self, shapes):
        """Broadcasts the shapes (as element-wise merges do); raises on a mismatch."""
        # A batch of 1 broadcasts (keraslite accepts it; Keras does not); others must agree.
        batches = {s[0] for s in shapes if len(s) and s[0] is not None and s[0] != 1}
        if len(batches) > 1:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot merge tensors with "
                f"different batch sizes. Received: input_shape={_shape_str(shapes)}")
        if batches:
            batch = batches.pop()
        else:
            batch = 1 if shapes and all(len(s) and s[0] == 1 for s in shapes) else None
        rest = [tuple(s[1:]) for s in shapes]
        rank = max(len(s) for s in rest)
        out = []
        for i in range(rank):
            dims = [s[len(s) - rank + i] for s in rest if len(s) - rank + i >= 0]
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
        return (batch,) + tuple(out)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        return self._output_shape(input_shape)

    def compute_mask(self, inputs, previous_mask=None):
        if previous_mask is None:
            return None
        if not isinstance(previous_mask, (list, tuple)) or \
                not isinstance(inputs, (list, tuple)) or len(previous_mask) != len(inputs):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects one mask (or None) per "
                f"input. Received: {len(inputs) if isinstance(inputs, (list, tuple)) else 1} "
                f"input(s) and mask={type(previous_mask).__name__}")
        masks = [ops.cast(m, "bool") for m in previous_mask if m is not None]
        if not masks:
            return None
        out = masks[0]
        for m in masks[1:]:
            out = ops.logical_and(out, m)
        return out

    # No input mask, no output mask: a functional call skips describing it (Layer).
    compute_mask.none_without_masks = True  # type: ignore[attr-defined]
