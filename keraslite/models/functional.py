"""Functional models: a graph of layer calls from ``Input`` tensors to output tensors."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslite.layers.core.input_layer import InputLayer
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.models.model import Model
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.training.trainer import Trainer
from keraslite.utils import naming, tree

if TYPE_CHECKING:
    from keraslite.utils.typing import Config, Shape, TensorTree


class Functional(Model):
    """A model defined by its input and output KerasTensors (what ``Model(inputs, outputs)`` returns)."""

    def __init__(self, inputs: TensorTree, outputs: TensorTree, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        Layer.__init__(self, name=name or naming.unique_name("functional"), trainable=trainable,
                       **kwargs)
        Trainer.__init__(self)
        self._inputs_struct = _normalize_structure(inputs, "inputs")
        self._outputs_struct = _normalize_structure(outputs, "outputs")
        self._input_tensors = tree.flatten(self._inputs_struct)
        self._output_tensors = tree.flatten(self._outputs_struct)
        for t in self._input_tensors:
            if t._history is None or not isinstance(t._history[0], InputLayer):
                raise ValueError(
                    "Every input of a functional model must come from keraslite.Input(...). "
                    f"Received a tensor made by layer '{t._history[0].name if t._history else None}'."
                )
        nodes = _topological_nodes(self._output_tensors)
        _check_connected(nodes, self._input_tensors)
        self._nodes = _sorted_by_depth(nodes, self._output_tensors)
        self._steps = [_CompiledNode(node) for node in self._nodes if not node.is_input]
        # Deduplicated by id (a scan of the list per node made 10,000-layer models quadratic).
        input_layers = [t._history[0] for t in self._input_tensors]
        seen = {id(layer) for layer in input_layers}
        layers: list[Layer] = list(input_layers)  # inputs first, in the user's order, like Keras
        for node in self._nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                layers.append(node.layer)
        self._layers = layers
        _check_unique_names(layers, self.name)
        self.input_spec = [InputSpec(shape=t.shape, ndim=len(t.shape)) for t in self._input_tensors]
        self.built = True

    # -- structure -----------------------------------------------------------------------------
    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._input_tensors)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._output_tensors)

    @property
    def input(self) -> TensorTree:
        return self._inputs_struct

    @property
    def output(self) -> TensorTree:
        return self._outputs_struct

    @property
    def input_names(self) -> list[str]:
        return [t.name for t in self._input_tensors]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return sorted(self._outputs_struct)
        return [t._history[0].name for t in self._output_tensors]

    @property
    def input_shape(self) -> Shape | list[Shape]:
        shapes = [t.shape for t in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Shape | list[Shape]:
        shapes = [t.shape for t in self._output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    # -- calling -------------------------------------------------------------------------------
    def _flatten_inputs(self, inputs):
        """The user's inputs as a flat list in the order of ``self.inputs``."""
        n = len(self._input_tensors)
        names = self.input_names
        if isinstance(inputs, dict):
            missing = [k for k in names if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs named {names}. Missing: {missing}; "
                    f"received keys: {sorted(inputs)}"
                )
            unknown = [k for k in inputs if k not in names]
            if unknown:
                raise ValueError(
                    f"Model '{self.name}' got input keys {unknown} that match no input. "
                    f"Expected keys: {names}"
                )
            return [inputs[k] for k in names]
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != n:
                raise ValueError(
                    f"Model '{self.name}' expects {n} input(s) ({names}). "
                    f"Received {len(inputs)}: {tree.describe(inputs)}"
                )
            return list(inputs)
        if n != 1:
            raise ValueError(
                f"Model '{self.name}' expects {n} inputs ({names}) as a list or a dict. "
                f"Received a single array of shape {getattr(inputs, 'shape', None)}."
            )
        return [inputs]

    def _check_input_spec(self, inputs):
        for i, (spec, x) in enumerate(zip(self.input_spec, self._flatten_inputs(inputs))):
            if hasattr(x, "shape"):
                shape = tuple(x.shape)
                if len(shape) != spec.ndim or any(
                    w is not None and g is not None and w != g
                    for w, g in zip(spec.shape[1:], shape[1:])
                ):
                    raise ValueError(
                        f"Input {i} of model '{self.name}' is incompatible with the model: "
                        f"expected shape={spec.shape}, found shape={shape}"
                    )

    def call(self, inputs: TensorTree, training: bool | None = None,
             mask: TensorTree = None) -> TensorTree:
        values = {}
        for tensor, value in zip(self._input_tensors, self._flatten_inputs(inputs)):
            values[id(tensor)] = value
        for step in self._steps:
            step.run(values)
        return tree.pack_as(self._outputs_struct, [values[id(t)] for t in self._output_tensors])

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> TensorTree:
        return Layer.compute_output_spec(self, *args, **kwargs)

    # -- config --------------------------------------------------------------------------------
    def get_config(self) -> Config:
        from keraslite.models.functional_config import get_functional_config

        return get_functional_config(self)

    @classmethod
    def from_config(cls, config: Config,
                    custom_objects: dict[str, Any] | None = None) -> Functional:
        from keraslite.models.functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)

    def get_build_config(self) -> None:
        return None  # the config itself rebuilds the graph


class _CompiledNode:
    """A node with its argument template flattened once, so eager calls stay cheap."""

    def __init__(self, node):
        self.layer = node.layer
        self.template = (node.call_args, node.call_kwargs)
        self.leaves = tree.flatten(self.template)
        self.positions = [i for i, x in enumerate(self.leaves) if isinstance(x, KerasTensor)]
        self.outputs = node.output_tensors
        self.output_struct = node.outputs

    def run(self, values):
        leaves = list(self.leaves)
        for i in self.positions:
            leaves[i] = values[id(leaves[i])]
        args, kwargs = tree.pack_as(self.template, leaves)
        out = self.layer(*args, **kwargs)
        for tensor, value in zip(self.outputs, tree.flatten(out)):
            values[id(tensor)] = value


def _check_unique_names(layers, model_name):
    """Layer names address weights, h5 groups and ``get_layer``, so they must be unique (as in
    Keras); the same layer object used twice is one layer."""
    seen: dict[str, int] = {}
    for layer in {id(layer): layer for layer in layers}.values():
        seen[layer.name] = seen.get(layer.name, 0) + 1
    repeated = [name for name, count in seen.items() if count > 1]
    if repeated:
        raise ValueError(
            f"The name '{repeated[0]}' is used by {seen[repeated[0]]} different layers in model "
            f"'{model_name}'; every layer of a model needs a unique name. Rename one of them "
            "(the name= argument of the layer)."
        )


def _normalize_structure(struct, what):
    if isinstance(struct, KerasTensor):
        return struct
    if isinstance(struct, dict):
        bad = [k for k, v in struct.items() if not isinstance(v, KerasTensor)]
    elif isinstance(struct, (list, tuple)):
        bad = [i for i, v in enumerate(tree.flatten(struct)) if not isinstance(v, KerasTensor)]
        if len(struct) == 1 and isinstance(struct[0], KerasTensor) and what == "inputs":
            return list(struct)
    else:
        raise TypeError(
            f"Model {what} must be KerasTensors (from keraslite.Input and layer calls), or a "
            f"list/dict of them. Received: {type(struct).__name__}"
        )
    if bad:
        raise TypeError(
            f"Model {what} must all be KerasTensors (from keraslite.Input and layer calls). "
            f"Entries {bad} are not."
        )
    return list(struct) if isinstance(struct, tuple) else struct


def _topological_nodes(outputs):
    """Nodes reachable from the outputs, parents before children (iterative DFS)."""
    order, done, on_path = [], set(), set()
    for tensor in outputs:
        if tensor._history is None:
            raise ValueError(
                f"Output tensor {tensor} was not produced by a layer; build outputs by calling "
                "layers on keraslite.Input tensors."
            )
        layer, index, _ = tensor._history
        stack = [(layer._inbound_nodes[index], False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            on_path.add(id(node))
            stack.append((node, True))
            for parent in reversed(node.parent_nodes):
                if id(parent) not in done:
                    stack.append((parent, False))
    return order


def _check_connected(nodes, inputs):
    input_ids = {id(t) for t in inputs}
    for node in nodes:
        if node.is_input and not any(id(t) in input_ids for t in node.output_tensors):
            reached = [n.layer.name for n in nodes if not n.is_input]
            raise ValueError(
                f"Graph disconnected: the input '{node.layer.name}' is needed to compute the "
                f"outputs but is not among the model's inputs {[t.name for t in inputs]}. "
                f"Layers reached: {reached}"
            )


def _sorted_by_depth(nodes, outputs):
    """Orders nodes like Keras: deepest (closest to the inputs) first, ties by creation."""
    depth = {id(n): 0 for n in nodes}
    for node in reversed(nodes):
        for parent in node.parent_nodes:
            depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
    position = {id(n): i for i, n in enumerate(nodes)}
    # A topological order is needed for execution; sorting by depth keeps it.
    return sorted(nodes, key=lambda n: (-depth[id(n)], position[id(n)]))
