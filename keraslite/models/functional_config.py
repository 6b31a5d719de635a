"""The config of a functional model: its layers and how each was called, as plain JSON data.

Format::

    {"name": ..., "trainable": ...,
     "layers": [{"class_name": ..., "config": ..., "build_config": ...,
                 "inbound_nodes": [{"args": [...], "kwargs": {...}}, ...]}, ...],
     "inputs": <structure of tensor refs>, "outputs": <structure of tensor refs>}

A tensor reference is ``{"__tensor__": [layer_index, node_index, tensor_index]}``: the output
``tensor_index`` of the ``node_index``-th call of ``layers[layer_index]`` within this model.
Layers are referenced by position, not name, so a config stays valid whatever names the layers
get when it is loaded.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslite.layers.core.input_layer import InputLayer
from keraslite.utils import tree

if TYPE_CHECKING:
    from keraslite.models.functional import Functional
    from keraslite.utils.typing import Config


def get_functional_config(model: Functional) -> Config:
    layer_index = {id(layer): i for i, layer in enumerate(model._layers)}
    own_nodes = {id(node) for node in model._nodes}
    # Each layer's calls within this model, in call order (a shared layer may have calls
    # elsewhere too; those are not part of this model).
    local_index = {}
    for layer in model._layers:
        mine = [n for n in layer._inbound_nodes if id(n) in own_nodes]
        for i, node in enumerate(mine):
            local_index[id(node)] = i

    def ref(tensor):
        layer, node_index, tensor_index = tensor._history
        node = layer._inbound_nodes[node_index]
        return [layer_index[id(layer)], local_index[id(node)], tensor_index]

    from keraslite.saving import json_values
    from keraslite.saving.serialization import serialize_layer

    layers = []
    for layer in model._layers:
        entry = serialize_layer(layer)
        nodes = []
        if not isinstance(layer, InputLayer):
            for node in layer._inbound_nodes:
                if id(node) in own_nodes:
                    where = f"Layer '{layer.name}' in model '{model.name}'"
                    nodes.append({"args": json_values.encode(list(node.call_args), ref, where),
                                  "kwargs": json_values.encode(node.call_kwargs, ref, where)})
        entry["inbound_nodes"] = nodes
        layers.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "inputs": json_values.encode(model._inputs_struct, ref, f"Model '{model.name}'"),
        "outputs": json_values.encode(model._outputs_struct, ref, f"Model '{model.name}'"),
    }


def functional_from_config(cls: type[Functional], config: Config,
                           custom_objects: dict[str, Any] | None = None) -> Functional:
    from keraslite.saving import json_values
    from keraslite.saving.serialization import deserialize_layer

    _expect(isinstance(config, dict) and isinstance(config.get("layers"), list),
            "a functional model config needs a 'layers' list")
    layers, pending = [], []
    for i, entry in enumerate(config["layers"]):
        _expect(isinstance(entry, dict), f"layers[{i}] must be a dict")
        layers.append(deserialize_layer(entry, custom_objects=custom_objects))
        nodes = entry.get("inbound_nodes", [])
        _expect(isinstance(nodes, list), f"layers[{i}]['inbound_nodes'] must be a list")
        pending.append(list(nodes))
    # outputs[layer][node] -> flat output tensors
    outputs: list[list[list[Any]]] = [[] for _ in layers]
    for i, layer in enumerate(layers):
        if isinstance(layer, InputLayer):
            outputs[i].append([layer.output_tensor])

    class _NotYet(Exception):
        pass

    def tensor_of(ref):
        _expect(isinstance(ref, list) and len(ref) == 3 and all(isinstance(r, int) for r in ref),
                f"bad tensor reference {ref!r}")
        layer_i, node_i, tensor_i = ref
        _expect(0 <= layer_i < len(layers) and node_i >= 0,
                f"tensor reference {ref!r} names no layer call")
        if node_i >= len(outputs[layer_i]):
            raise _NotYet
        flat = outputs[layer_i][node_i]
        _expect(0 <= tensor_i < len(flat), f"tensor reference {ref!r} names no output")
        return flat[tensor_i]

    # Replay the calls: each round runs every call whose inputs exist; a layer's calls run in
    # their recorded order, which is what makes node indices line up.
    progress = True
    while progress and any(pending):
        progress = False
        for i, layer in enumerate(layers):
            while pending[i]:
                node = pending[i][0]
                where = f"Layer '{layer.name}' in model '{config.get('name')}'"
                _expect(isinstance(node, dict), f"{where}: a node must be a dict")
                try:
                    args = json_values.decode(node.get("args", []), tensor_of, where)
                    kwargs = json_values.decode(node.get("kwargs", {"__dict__": {}}), tensor_of,
                                                where)
                except _NotYet:
                    break
                _expect(isinstance(args, list) and isinstance(kwargs, dict),
                        f"{where}: node args must be a list and kwargs a dict")
                out = layer(*args, **kwargs)
                outputs[i].append(tree.flatten(out))
                pending[i].pop(0)
                progress = True
    if any(pending):
        stuck = [layers[i].name for i, p in enumerate(pending) if p]
        raise ValueError(f"Invalid model config: the calls of layers {stuck} need tensors that "
                         "no layer in the config produces.")
    inputs = json_values.decode(config.get("inputs"), tensor_of, "model inputs")
    outs = json_values.decode(config.get("outputs"), tensor_of, "model outputs")
    return cls(inputs, outs, name=config.get("name"), trainable=config.get("trainable", True))


def _expect(condition, message):
    if not condition:
        raise ValueError(f"Invalid model config: {message}.")
