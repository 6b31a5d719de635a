"""Node: one call of a layer on symbolic tensors, the edge list of the functional graph."""
from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils import allocation_budget, tree

if TYPE_CHECKING:
    from keraslite.layers.layer import Layer
    from keraslite.utils.typing import TensorTree

_creation_order = itertools.count()


class Node:
    """Records ``layer(*call_args, **call_kwargs) -> outputs`` where some args are KerasTensors.

    Every output KerasTensor gets ``_history = (layer, node_index, tensor_index)``, which is how
    a functional model walks back from its outputs to its inputs.
    """

    def __init__(self, layer: Layer, call_args: Sequence[Any] = (),
                 call_kwargs: Mapping[str, Any] | None = None, outputs: TensorTree = None) -> None:
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.input_tensors = [
            x for x in tree.flatten((self.call_args, self.call_kwargs)) if isinstance(x, KerasTensor)
        ]
        self.outputs = outputs
        self.output_tensors = [x for x in tree.flatten(outputs) if isinstance(x, KerasTensor)]
        # Every symbolic call passes here: an output no device could hold is refused now,
        # not when XLA or TensorFlow first compiles it (XLA aborts the process).
        allocation_budget.check_outputs(f"Layer '{layer.name}'", self.output_tensors)
        self.order = next(_creation_order)
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, tensor in enumerate(self.output_tensors):
            tensor._history = (layer, node_index, i)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    @property
    def inbound_layers(self) -> list[Layer]:
        return [t._history[0] for t in self.input_tensors if t._history is not None]

    @property
    def parent_nodes(self) -> list[Node]:
        parents = []
        for t in self.input_tensors:
            if t._history is not None:
                layer, node_index, _ = t._history
                parents.append(layer._inbound_nodes[node_index])
        return parents

    @property
    def input_structure(self) -> TensorTree:
        return self.call_args[0] if self.call_args else None
