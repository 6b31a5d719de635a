"""StackedRNNCells: several recurrent cells run as one, each feeding the next within a step."""
from __future__ import annotations

from typing import List, Sequence

from keraslite import ops
from keraslite.layers.layer import Layer


_PASSED_ON = "passed on to the cells"


def _sizes(cell) -> List[int]:
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def _output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    return size if size is not None else _sizes(cell)[0]


class StackedRNNCells(Layer):
    """Cells applied in order at each time step: cell ``i``'s output is cell ``i + 1``'s input.

    The states are the cells' states one after another (a flat list), so
    ``RNN(StackedRNNCells([LSTMCell(8), GRUCell(4)]), return_state=True)`` returns
    ``[output, h1, c1, h2]``, as Keras does.

    Example::

        cells = keraslite.layers.StackedRNNCells([keraslite.layers.LSTMCell(8),
                                                  keraslite.layers.LSTMCell(4)])
        y = keraslite.layers.RNN(cells)(np.ones((2, 5, 3)))  # shape (2, 4)
    """

    def __init__(self, cells: Sequence[Layer], **kwargs):
        super().__init__(**kwargs)
        cells = list(cells) if isinstance(cells, (list, tuple)) else cells
        if not isinstance(cells, list) or not cells:
            raise ValueError("StackedRNNCells: `cells` must be a non-empty list of cells. "
                             f"Received: cells={cells!r}")
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError("StackedRNNCells: every cell needs a `call(inputs, states)` "
                                 f"method and a `state_size`. Received: {cell!r}")
        self.cells = cells
        self._masks_set = False

    @property
    def state_size(self) -> List[int]:
        return [s for cell in self.cells for s in _sizes(cell)]

    @property
    def output_size(self) -> int:
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                initial = cell.get_initial_state(batch_size=batch_size)
                states.extend(initial if isinstance(initial, (list, tuple)) else [initial])
            else:
                states.extend(ops.zeros((batch_size, s), dtype=self.compute_dtype)
                              for s in _sizes(cell))
        return states

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._build_with_shapes(shape)
            shape = shape[:-1] + (_output_size(cell),)
        self.built = True

    # RNN draws dropout masks once per sequence through these two hooks; the stack passes
    # them on to each cell that has its own, and clears them when RNN sets its own to None.
    def make_dropout_masks(self, step_input, state, training):
        batch = ops.shape(step_input)[0]
        x = step_input
        for cell in self.cells:
            if hasattr(cell, "make_dropout_masks"):
                h = ops.zeros((batch, _sizes(cell)[0]), dtype=step_input.dtype)
                cell._dropout_mask, cell._recurrent_dropout_mask = cell.make_dropout_masks(
                    x, h, training)
            x = ops.zeros((batch, _output_size(cell)), dtype=step_input.dtype)
        # Not None, so that RNN storing them is told apart from RNN clearing them.
        return _PASSED_ON, _PASSED_ON

    def __setattr__(self, name, value):
        if name in ("_dropout_mask", "_recurrent_dropout_mask") and value is None:
            for cell in getattr(self, "cells", ()):
                if hasattr(cell, "make_dropout_masks"):
                    object.__setattr__(cell, name, None)
        super().__setattr__(name, value)

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        new_states, start = [], 0
        for cell in self.cells:
            count = len(_sizes(cell))
            own = states[start:start + count]
            start += count
            single = not isinstance(cell.state_size, (list, tuple))
            inputs, out_states = cell.call(inputs, own[0] if single else own, training=training)
            new_states.extend(out_states if isinstance(out_states, (list, tuple))
                              else [out_states])
        return inputs, new_states

    def get_config(self) -> dict:
        from keraslite.saving.serialization import serialize_layer

        cells = []
        for cell in self.cells:
            config = serialize_layer(cell)
            config.pop("build_config", None)  # the stack builds its cells from the input
            cells.append(config)
        return {**super().get_config(), "cells": cells}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from keraslite.saving.serialization import deserialize_layer

        config = dict(config)
        config["cells"] = [deserialize_layer(c, custom_objects=custom_objects)
                           for c in config["cells"]]
        return cls(**config)
