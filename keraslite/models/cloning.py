"""``clone_model``: the same architecture with new layers, hence new (freshly initialized) weights.

A Sequential model is rebuilt from clones of its layers, a functional model by replaying its
graph of layer calls on new inputs with cloned layers, and any other model (a subclassed one)
from its own config. The clone is compiled like the original when the original was compiled
with arguments that can be written as a config.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from keraslite.layers.core.input_layer import Input, InputLayer
from keraslite.layers.layer import Layer
from keraslite.models.functional import Functional
from keraslite.models.model import Model
from keraslite.models.sequential import Sequential
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils import tree

if TYPE_CHECKING:
    from keraslite.utils.typing import TensorTree


def clone_model(model: Model, input_tensors: TensorTree = None,
                clone_function: Callable[[Layer], Layer] | None = None,
                call_function: Callable[..., Any] | None = None, recursive: bool = False,
                **kwargs: Any) -> Model:
    """A new model with the architecture of ``model`` and new weights (nothing is shared).

    Args:
        model: a Sequential, functional or subclassed ``Model``.
        input_tensors: Sequential and functional models only: KerasTensors (same structure as
            ``model.input``; one tensor for a Sequential model) to build the clone on. By
            default new ``Input`` tensors like the original's are made.
        clone_function: Sequential and functional models only: ``fn(layer) -> layer`` applied to
            every non-input layer (a layer used twice is cloned once, so sharing survives). The
            default makes a new layer from the layer's config:
            ``type(layer).from_config(layer.get_config())``.
        call_function: functional models only: ``fn(layer, *args, **kwargs) -> outputs`` used
            instead of ``layer(*args, **kwargs)`` when the graph is replayed (e.g. to insert a
            layer after some calls).
        recursive: also clone the Sequential and functional models nested inside ``model``
            layer by layer with the same ``clone_function`` (and ``call_function`` for
            functional ones); otherwise a nested model is passed to ``clone_function`` whole.

    Example::

        def no_dropout(layer):
            if isinstance(layer, keraslite.layers.Dropout):
                return keraslite.layers.Identity()
            return layer.__class__.from_config(layer.get_config())

        clone = keraslite.models.clone_model(model, clone_function=no_dropout)
        clone.set_weights(model.get_weights())
    """
    cache = kwargs.pop("cache", None)
    if kwargs:
        raise TypeError(f"clone_model() got unexpected keyword argument(s): {sorted(kwargs)}. "
                        "Expected: input_tensors, clone_function, call_function, recursive.")
    if not isinstance(model, Model):
        raise TypeError(f"clone_model expects a keraslite Model as `model`. "
                        f"Received: {type(model).__name__}")
    for name, fn in (("clone_function", clone_function), ("call_function", call_function)):
        if fn is not None and not callable(fn):
            raise TypeError(f"clone_model: `{name}` must be a callable. "
                            f"Received: {type(fn).__name__}")
    clone: Model
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                "clone_model: `call_function` is for functional models only; a Sequential model "
                "lists its layers rather than calling them on tensors. Received a Sequential "
                f"model '{model.name}'. Use clone_function, or rebuild it as a functional model."
            )
        clone_layer = _layer_cloner(clone_function, None, recursive, cache)
        clone = _clone_sequential(model, clone_layer, input_tensors)
    elif isinstance(model, Functional):
        clone_layer = _layer_cloner(clone_function, call_function, recursive, cache)
        clone = _clone_functional(model, clone_layer, input_tensors, call_function)
    else:
        if clone_function is not None or input_tensors is not None or call_function is not None:
            raise ValueError(
                "clone_model: `clone_function`, `call_function` and `input_tensors` need a "
                "Sequential or functional model; a subclassed model is cloned from its config. "
                f"Received a model of type '{type(model).__name__}'."
            )
        clone = _clone_from_config(model)
    _compile_like(clone, model)
    return clone


def _default_clone(layer: Layer) -> Layer:
    return type(layer).from_config(layer.get_config())


def _layer_cloner(clone_function, call_function, recursive, cache):
    """``clone_function`` wrapped so that each layer is cloned once (shared layers stay shared,
    also across nested models) and nested models are cloned layer by layer when recursive."""
    clone_function = clone_function or _default_clone
    cache = {} if cache is None else cache

    def clone_layer(layer):
        key = id(layer)
        if key in cache:
            return cache[key][1]
        if recursive and isinstance(layer, Sequential):
            clone = clone_model(layer, clone_function=clone_function, recursive=True,
                                cache=cache)
        elif recursive and isinstance(layer, Functional):
            clone = clone_model(layer, clone_function=clone_function,
                                call_function=call_function, recursive=True, cache=cache)
        else:
            clone = clone_function(layer)
        if not isinstance(clone, Layer):
            raise TypeError(f"clone_model: clone_function must return a Layer. For layer "
                            f"'{layer.name}' it returned {type(clone).__name__}.")
        # The original is kept alive with its clone, so its id cannot be reused meanwhile.
        cache[key] = (layer, clone)
        return clone

    return clone_layer


def _clone_sequential(model: Sequential, clone_layer, input_tensors) -> Sequential:
    new_layers: list[Any] = [clone_layer(layer) for layer in model.layers]
    first = model._layers[0] if model._layers else None
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError("clone_model: a Sequential model takes one input tensor. "
                                 f"Received {len(input_tensors)} input_tensors.")
            input_tensors = input_tensors[0]
        new_layers.insert(0, _as_input(input_tensors, first.name if first is not None and
                                       isinstance(first, InputLayer) else None))
    elif isinstance(first, InputLayer):
        new_layers.insert(0, _copy_input(first))
    return Sequential(new_layers, name=model.name, trainable=model.trainable)


def _clone_functional(model: Functional, clone_layer, input_tensors, call_function):
    old_inputs = model._input_tensors
    if input_tensors is None:
        new_inputs = [_copy_input(t._history[0]) for t in old_inputs]
        new_struct = tree.pack_as(model._inputs_struct, new_inputs)
    else:
        given = tree.flatten(input_tensors)
        if len(given) != len(old_inputs):
            raise ValueError(
                f"clone_model: model '{model.name}' has {len(old_inputs)} inputs "
                f"({[t.name for t in old_inputs]}); input_tensors holds {len(given)} tensors.")
        new_inputs = [_as_input(t, old.name) for t, old in zip(given, old_inputs)]
        new_struct = tree.pack_as(model._inputs_struct, new_inputs)
    values = {id(old): new for old, new in zip(old_inputs, new_inputs)}
    # Nodes are stored inputs first (by depth), so every argument exists when its call runs.
    for node in model._nodes:
        if node.is_input:
            continue
        layer = clone_layer(node.layer)
        leaves = [values[id(x)] if isinstance(x, KerasTensor) else x
                  for x in tree.flatten((node.call_args, node.call_kwargs))]
        args, call_kwargs = tree.pack_as((list(node.call_args), node.call_kwargs), leaves)
        if call_function is None:
            out = layer(*args, **call_kwargs)
        else:
            out = call_function(layer, *args, **call_kwargs)
        produced = [x for x in tree.flatten(out) if isinstance(x, KerasTensor)]
        if len(produced) != len(node.output_tensors):
            raise ValueError(
                f"clone_model: the clone of layer '{node.layer.name}' returned "
                f"{len(produced)} tensors where the original returned "
                f"{len(node.output_tensors)}; clone_function/call_function must keep the "
                "number of outputs of each call.")
        for old, new in zip(node.output_tensors, produced):
            values[id(old)] = new
    outputs = tree.pack_as(model._outputs_struct,
                           [values[id(t)] for t in model._output_tensors])
    return Functional(new_struct, outputs, name=model.name, trainable=model.trainable)


def _copy_input(layer: InputLayer) -> KerasTensor:
    return Input(batch_shape=layer.batch_shape, dtype=layer.dtype, sparse=layer.sparse,
                 name=layer.name)


def _as_input(tensor, name) -> KerasTensor:
    if not isinstance(tensor, KerasTensor):
        raise TypeError("clone_model: input_tensors must be KerasTensors (from "
                        f"keraslite.Input). Received: {type(tensor).__name__}")
    if tensor._history is not None and isinstance(tensor._history[0], InputLayer):
        return tensor
    return Input(tensor=tensor, name=name)


def _clone_from_config(model: Model) -> Model:
    """A subclassed model: a new instance from its config, built like the original."""
    try:
        clone = type(model).from_config(model.get_config())
    except NotImplementedError as error:
        raise ValueError(f"clone_model cannot clone model '{model.name}' "
                         f"({type(model).__name__}): {error}") from None
    build_config = model.get_build_config() if model.built else None
    if build_config is not None:
        clone.build_from_config(build_config)
    return clone


def _compile_like(clone: Model, model: Model) -> None:
    """Compiles the clone with a fresh copy of the original's compile arguments, if any."""
    if not getattr(model, "compiled", False):
        return
    from keraslite.saving.compile_config import compile_from_config, get_compile_config

    config = get_compile_config(model)
    if config is not None:
        compile_from_config(clone, config)
