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

import json
from collections import deque
from typing import TYPE_CHECKING, Any

from keraslite.layers.core.input_layer import InputLayer
from keraslite.models.node import Node
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils import tree

if TYPE_CHECKING:
    from keraslite.models.functional import Functional
    from keraslite.utils.typing import Config

# What a model config may ask for. The largest keraslite applications have a few hundred layers;
# these leave room for very deep generated models while refusing a file that asks for millions.
MAX_LAYERS = 50_000
MAX_NODES = 100_000


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
    check_limit("layers", len(config["layers"]), MAX_LAYERS, "MAX_LAYERS")
    node_lists = []
    for i, entry in enumerate(config["layers"]):
        _expect(isinstance(entry, dict), f"layers[{i}] must be a dict")
        nodes = entry.get("inbound_nodes", [])
        _expect(isinstance(nodes, list), f"layers[{i}]['inbound_nodes'] must be a list")
        node_lists.append(nodes)
    # Checked before any layer is created, so an oversized file costs nothing.
    check_limit("layer calls (nodes)", sum(map(len, node_lists)), MAX_NODES, "MAX_NODES")
    layers = [deserialize_layer(entry, custom_objects=custom_objects)
              for entry in config["layers"]]
    # outputs[layer][node] -> flat output tensors
    outputs: list[list[list[Any]]] = [[] for _ in layers]
    for i, layer in enumerate(layers):
        if isinstance(layer, InputLayer):
            outputs[i].append([layer.output_tensor])

    class _NotYet(Exception):
        def __init__(self, key):
            self.key = key

    def tensor_of(ref):
        _expect(isinstance(ref, list) and len(ref) == 3 and all(isinstance(r, int) for r in ref),
                f"bad tensor reference {ref!r}")
        layer_i, node_i, tensor_i = ref
        _expect(0 <= layer_i < len(layers) and node_i >= 0,
                f"tensor reference {ref!r} names no layer call")
        if node_i >= len(outputs[layer_i]):
            _expect(replaying, f"tensor reference {ref!r} names no layer call")
            raise _NotYet((layer_i, node_i))
        flat = outputs[layer_i][node_i]
        _expect(0 <= tensor_i < len(flat), f"tensor reference {ref!r} names no output")
        return flat[tensor_i]

    # Replay the calls. A layer's calls run in their recorded order (which makes node indices
    # line up); a call whose input does not exist yet waits on the call that makes it, and is
    # retried when that call has run, so each call is tried a bounded number of times whatever
    # the order of the layers in the file (retrying every waiting call each round was
    # quadratic for a chain listed backwards).
    replaying = True  # afterwards a missing call is an error, not something to wait for
    done = [0] * len(layers)
    waiting: dict[tuple[int, int], list[int]] = {}
    ready = deque(range(len(layers)))
    specs: dict[Any, Any] = {}
    while ready:
        i = ready.popleft()
        layer = layers[i]
        while done[i] < len(node_lists[i]):
            node = node_lists[i][done[i]]
            where = f"Layer '{layer.name}' in model '{config.get('name')}'"
            _expect(isinstance(node, dict), f"{where}: a node must be a dict")
            try:
                args = json_values.decode(node.get("args", []), tensor_of, where)
                kwargs = json_values.decode(node.get("kwargs", {"__dict__": {}}), tensor_of,
                                            where)
            except _NotYet as missing:
                waiting.setdefault(missing.key, []).append(i)
                break
            _expect(isinstance(args, list) and isinstance(kwargs, dict),
                    f"{where}: node args must be a list and kwargs a dict")
            # A call without a tensor would run the layer eagerly on whatever the file holds
            # (found by the loader fuzzer: TensorFlow then raised a kernel error).
            _expect(bool(args) and isinstance(args[0], KerasTensor)
                    or any(isinstance(x, KerasTensor) for x in tree.flatten(args[:1])),
                    f"{where}: the first argument of a call must be a tensor of the model")
            out = _replay_call(layer, args, kwargs, specs)
            outputs[i].append(tree.flatten(out))
            done[i] += 1
            ready.extend(waiting.pop((i, len(outputs[i]) - 1), ()))
    if any(done[i] < len(nodes) for i, nodes in enumerate(node_lists)):
        stuck = [layers[i].name for i, nodes in enumerate(node_lists) if done[i] < len(nodes)]
        raise ValueError(f"Invalid model config: the calls of layers {stuck[:20]} need tensors "
                         "that no layer in the config produces.")
    replaying = False
    inputs = json_values.decode(config.get("inputs"), tensor_of, "model inputs")
    outs = json_values.decode(config.get("outputs"), tensor_of, "model outputs")
    return cls(inputs, outs, name=config.get("name"), trainable=config.get("trainable", True))


def _replay_call(layer, args, kwargs, specs):
    """``layer(*args, **kwargs)`` on symbolic tensors, reusing the output specs of an earlier
    call of a layer of the same class and config on inputs of the same shapes and dtypes.

    Finding output shapes runs ``call`` abstractly (two traces, about 2 ms a layer), which made
    rebuilding long chains of identical layers slow; the reuse applies to keraslite's own layers
    only, whose output spec is a function of their config and input specs.
    """
    key = _spec_key(layer, args, kwargs)
    known = specs.get(key) if key is not None else None
    if known is None:
        out = layer(*args, **kwargs)
        flat = tree.flatten(out)
        if key is not None and flat and all(isinstance(t, KerasTensor) for t in flat):
            specs[key] = (out, [(t.shape, t.dtype, t.sparse) for t in flat])
        return out
    # What Layer._symbolic_call does, with the output specs already known.
    layer._check_input_spec(args[0])
    layer._maybe_build(args[0])
    template, flat_specs = known
    out = tree.pack_as(template, [KerasTensor(shape, dtype, sparse=sparse)
                                  for shape, dtype, sparse in flat_specs])
    Node(layer, args, kwargs, out)
    return out


def _spec_key(layer, args, kwargs):
    """What a builtin layer's symbolic output depends on, as a hashable value; None if unknown."""
    if not type(layer).__module__.startswith("keraslite.layers.") or not args:
        return None
    try:
        layer_config = dict(layer.get_config())
        layer_config.pop("name", None)
        layer_text = json.dumps(layer_config, sort_keys=True)
    except (TypeError, ValueError, NotImplementedError):
        return None
    leaves = []
    for leaf in tree.flatten((args, kwargs)):
        if isinstance(leaf, KerasTensor):
            leaves.append(("tensor", leaf.shape, leaf.dtype, leaf.sparse))
        elif leaf is None or isinstance(leaf, (bool, int, float, str)):
            leaves.append((type(leaf).__name__, leaf))
        else:
            return None
    structure = repr(tree.map_structure(lambda _: 0, (args, kwargs)))
    return type(layer), layer_text, structure, tuple(leaves)


def check_limit(what, count, limit, name):
    if count > limit:
        raise ValueError(f"Invalid model config: it lists {count:,} {what}; at most {limit:,} "
                         f"are allowed (keraslite.models.functional_config.{name}). Raise the "
                         "limit only for a file you trust.")


def _expect(condition, message):
    if not condition:
        raise ValueError(f"Invalid model config: {message}.")
