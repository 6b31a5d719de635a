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
        # Saved as the op's public name plus its constant arguments; loading looks the name up
        # among keraslite.ops' own functions only (a closed set, like the layer registry).
        from keraslite import ops
        from keraslite.saving import json_values

        public = getattr(ops, self.fn.__name__, None)
        if self.fn.__name__ not in ops.__all__ or getattr(public, "raw", None) is not self.fn:
            raise ValueError(
                f"Layer '{self.name}' applies {self.fn.__name__}, which is not a public "
                "keraslite.ops function, so it cannot be saved to a config. Wrap the computation "
                "in a Layer subclass registered with keraslite.saving.register_serializable."
            )
        counter = iter(range(len(self._positions)))
        arguments = json_values.encode(self._template, lambda t: next(counter),
                                       f"Layer '{self.name}'")
        return {"name": self.name, "op": self.fn.__name__, "arguments": arguments}

    @classmethod
    def from_config(cls, config):
        from keraslite import ops
        from keraslite.saving import json_values

        name = config.get("op")
        public = getattr(ops, name, None) if name in ops.__all__ else None
        if getattr(public, "raw", None) is None:
            raise ValueError(f"Unknown op {name!r} in an OpLayer config: only keraslite.ops "
                             "functions can be loaded.")
        where = f"Layer '{config.get('name')}'"
        template = json_values.decode(config.get("arguments"),
                                      lambda ref: KerasTensor((), name="placeholder"), where)
        if not (isinstance(template, tuple) and len(template) == 2
                and isinstance(template[0], tuple) and isinstance(template[1], dict)):
            raise ValueError(f"{where}: malformed op arguments in the config.")
        layer = cls(public.raw, template[0], template[1])
        layer.name = config.get("name") or layer.name
        return layer
