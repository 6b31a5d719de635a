"""``Model.get_state_tree`` / ``set_state_tree``: the model state as Keras 3 nests it.

Four groups, ``trainable_variables``, ``non_trainable_variables``, ``optimizer_variables`` and
``metrics_variables``, each a nested dict split on ``/`` of Keras's variable paths:

- a layer weight: ``<layer path>/<name>`` (``my_sequential/my_dense/kernel``, the layer's
  ``path`` being the names of the layers it was built inside, as in Keras);
- an RNG state: ``<seed generator name>/seed_generator_state``;
- an optimizer slot: ``<optimizer name>/<weight path with _ for />_<slot>``
  (``adam/my_sequential_my_dense_kernel_momentum``); other optimizer variables by their path;
- a metric variable: ``<metric name>/<variable name>`` (``loss/total``).

The variables are the ones the compiled steps carry (``training/model_state.py``), so the tree
holds the whole training state. ``set_state_tree`` takes the whole tree or any part of it and
checks every group, path, shape and dtype kind before assigning anything.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from keraslite.training import model_state

GROUPS = ("trainable_variables", "non_trainable_variables", "optimizer_variables",
          "metrics_variables")
VALUE_FORMATS = ("backend_tensor", "numpy_array")


def _weight_keys(layer, out: dict) -> None:
    """``{id(variable): Keras path}`` for the weights and RNG states of the layer tree."""
    owner_path = getattr(layer, "path", None)
    for variable in layer._own_weights():
        key = f"{owner_path}/{variable.name}" if owner_path else variable.path
        out.setdefault(id(variable), key)
    for generator in layer._seed_generators:
        name = getattr(generator, "name", None) or "seed_generator"
        out.setdefault(id(generator.state), f"{name}/seed_generator_state")
    for sublayer in layer._layers:
        _weight_keys(sublayer, out)


def _slot_keys(optimizer, weight_keys: dict, out: dict) -> None:
    """Slots keyed as Keras names them: after the path of the weight they follow."""
    for opt in (optimizer, getattr(optimizer, "inner_optimizer", None)):
        if opt is None:
            continue
        tracked = list(getattr(opt, "_trainable_variables", ()))
        for slot, slot_vars in dict(getattr(opt, "_slots", {})).items():
            for weight, slot_var in zip(tracked, slot_vars):
                if id(weight) in weight_keys:
                    flat = weight_keys[id(weight)].replace("/", "_")
                    out.setdefault(id(slot_var), f"{opt.name}/{flat}_{slot}")


def grouped_paths(model) -> dict[str, dict[str, Any]]:
    """``{group: {Keras path: Variable}}`` for every variable of the model state."""
    keys: dict[int, str] = {}
    _weight_keys(model, keys)
    weight_keys = dict(keys)
    for _, opt in [("", getattr(model, "optimizer", None))] + model_state.held_objects(
            model, _optimizer_class()):
        if opt is not None:
            _slot_keys(opt, weight_keys, keys)
    trainable = {id(v) for v in model.trainable_variables}
    groups: dict[str, dict[str, Any]] = {name: {} for name in GROUPS}
    for state_path, variable in model_state.state_variables(model).items():
        if state_path.startswith(("optimizer/", "optimizers/")):
            group = "optimizer_variables"
        elif state_path.startswith("metrics/"):
            group = "metrics_variables"
        else:
            group = "trainable_variables" if id(variable) in trainable else \
                "non_trainable_variables"
        key = keys.get(id(variable)) or variable.path
        if key in groups[group]:
            raise ValueError(
                f"Model '{model.name}': the variable path '{key}' is found twice in "
                f"{group}; get_state_tree() needs unique paths. Give your layers (and "
                "metrics, optimizers) unique names."
            )
        groups[group][key] = variable
    return groups


def _optimizer_class():
    from keraslite.optimizers import Optimizer

    return Optimizer


def _nest(flat: dict, group: str) -> dict:
    nested: dict = {}
    for path, value in flat.items():
        parts = path.split("/")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"get_state_tree(): in {group}, '{path}' lies under another "
                                 "variable's path; variable paths must not nest.")
        node[parts[-1]] = value
    return nested


def get_state_tree(model, value_format: str = "backend_tensor") -> dict:
    """The nested ``{group: {...: value}}`` tree (see the module docstring)."""
    if value_format not in VALUE_FORMATS:
        raise ValueError(f"get_state_tree(): value_format must be one of {VALUE_FORMATS}. "
                         f"Received: value_format={value_format!r}")
    read = (lambda v: v.value) if value_format == "backend_tensor" else \
        (lambda v: np.asarray(v.numpy()))
    return {group: _nest({path: read(v) for path, v in variables.items()}, group)
            for group, variables in grouped_paths(model).items()}


def _flatten(tree: dict, prefix: str, out: dict) -> None:
    for key, value in tree.items():
        if isinstance(value, dict):
            _flatten(value, f"{prefix}{key}/", out)
        else:
            out[f"{prefix}{key}"] = value


def set_state_tree(model, state_tree: dict) -> None:
    """Assigns a tree from ``get_state_tree`` (or part of one); nothing is assigned unless
    every group, path and shape matches the model."""
    if not isinstance(state_tree, dict):
        raise TypeError("set_state_tree() expects the dict get_state_tree() returns. "
                        f"Received: {type(state_tree).__name__}")
    unknown_groups = [k for k in state_tree if k not in GROUPS]
    if unknown_groups:
        raise ValueError(f"set_state_tree(): unknown group(s) {unknown_groups}; expected keys "
                         f"among {list(GROUPS)}.")
    groups = grouped_paths(model)
    plan = []
    for group, subtree in state_tree.items():
        if not isinstance(subtree, dict):
            raise TypeError(f"set_state_tree(): '{group}' must be a nested dict of arrays. "
                            f"Received: {type(subtree).__name__}")
        flat: dict = {}
        _flatten(subtree, "", flat)
        variables = groups[group]
        unknown = [p for p in flat if p not in variables]
        if unknown:
            raise ValueError(
                f"set_state_tree(): model '{model.name}' has no {group} at path(s) "
                f"{unknown[:5]}{' ...' if len(unknown) > 5 else ''}. Its paths: "
                f"{list(variables)[:8]}{' ...' if len(variables) > 8 else ''}"
            )
        for path, value in flat.items():
            variable = variables[path]
            array = np.asarray(value)
            numeric = array.dtype.kind in "biuf" or array.dtype.name == "bfloat16"
            if not numeric or tuple(array.shape) != tuple(variable.shape):
                raise ValueError(
                    f"set_state_tree(): {group} '{path}' must be a numeric array of shape "
                    f"{tuple(variable.shape)}. Received: shape={tuple(array.shape)}, "
                    f"dtype={array.dtype}"
                )
            plan.append((variable, array))
    for variable, array in plan:
        variable.assign(array.astype(variable.dtype, copy=False))
