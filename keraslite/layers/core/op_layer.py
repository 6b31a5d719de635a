"""OpLayer: a ``keraslite.ops`` call on KerasTensors, recorded as a node of the functional graph.

This is what lets ``x = keraslite.ops.relu(Input((4,)) * 2)`` build a model: each op applied to a
symbolic tensor becomes a weightless layer that re-runs the same op on real values later.
"""
from __future__ import annotations

from keraslite.layers.layer import Layer
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils import tree


class OpLayer(Layer):
    def __init__(self, fn, args, kwargs):
        from keraslite.utils import naming

        super().__init__(name=naming.unique_name(fn.__name__))
        self.fn = fn
        self.built = True
        self._template = (tuple(args), dict(kwargs))
        self._positions = [
            i for i, x in enumerate(tree.flatten(self._template)) if isinstance(x, KerasTensor)
        ]

    def _call_symbolic_op(self):
        tensors = [x for x in tree.flatten(self._template) if isinstance(x, KerasTensor)]
        return self(tensors)

    def call(self, tensors):
        leaves = tree.flatten(self._template)
        for position, value in zip(self._positions, tree.flatten(tensors)):
            leaves[position] = value
        args, kwargs = tree.pack_as(self._template, leaves)
        from keraslite.ops.dispatch import _unwrap

        return self.fn(*[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()})

    def _convert_inputs(self, inputs):
        return inputs

    def get_config(self):
        raise ValueError(
            f"Layer '{self.name}' is a raw op ({self.fn.__name__}) applied to a symbolic tensor; "
            "ops like this cannot be saved to a config. Wrap the computation in a Layer subclass "
            "registered with keraslite.saving.register_serializable instead."
        )
