"""The model state: every variable a training step touches, under one stable, readable path.

``state_variables(model)`` maps paths to Variables, in the order the compiled steps use:

- ``layers/<layer>/.../<variable name>``: weights of the layer tree, each layer named by its class
  in snake case, numbered within its parent when a class repeats (``dense``, ``dense_1``), so a
  model rebuilt in another process (where automatic layer names differ) has the same paths;
  ``.../seed_generator[_<i>]/state`` for the RNG state of random layers;
- ``optimizer/...``: the compiled optimizer's state; a slot is addressed by the path of the
  weight it belongs to (``optimizer/momentum/layers/dense/kernel``); optimizers held under other
  attributes (a GAN's two) are ``optimizers/<attribute>/...``;
- ``metrics/<metric name>/<variable name>``: accumulators of the compiled metrics and of metrics
  held as attributes.

Saving, ``BackupAndRestore`` and distribution layouts (regular expressions over these paths)
address state this way, never by position. ``Model.get_state()`` / ``Model.set_state()`` are the
public face.
"""
from __future__ import annotations

import numpy as np

from keraslite.utils.naming import to_snake_case


def layer_variables(layer, prefix: str = "") -> dict:
    """``{path: Variable}`` for the weights and RNG states of ``layer`` and its sublayers."""
    out, seen = {}, set()
    _walk(layer, prefix, out, seen)
    return out


def _walk(layer, prefix, out, seen):
    names = {}
    for variable in layer._own_weights():
        _put(out, seen, prefix + _unique(names, variable.name), variable)
    for generator in layer._seed_generators:
        _put(out, seen, prefix + _unique(names, "seed_generator") + "/state", generator.state)
    used = {}
    for sublayer in layer._layers:
        name = _unique(used, to_snake_case(type(sublayer).__name__))
        _walk(sublayer, f"{prefix}layers/{name}/", out, seen)


def _unique(used: dict, base: str) -> str:
    count = used.get(base, 0)
    used[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def _put(out, seen, key, variable):
    # A layer shared by two parents owns its variables once: the first path wins.
    if id(variable) not in seen:
        seen.add(id(variable))
        out[key] = variable


def optimizer_variables(optimizer, prefix: str, weight_paths: dict) -> dict:
    """``{path: Variable}`` for an optimizer; slots are named after the weight they follow."""
    owner = {}
    inner = getattr(optimizer, "inner_optimizer", None)
    for opt in (optimizer, inner):
        if opt is None:
            continue
        tracked = list(getattr(opt, "_trainable_variables", ()))
        groups = dict(getattr(opt, "_slots", {}))
        groups["average"] = getattr(opt, "_ema", ())
        groups["gradient_accumulator"] = getattr(opt, "_accumulators", ())
        for slot, slot_vars in groups.items():
            for weight, slot_var in zip(tracked, slot_vars):
                where = weight_paths.get(id(weight), weight.name)
                owner[id(slot_var)] = f"{slot}/{where}"
    out, used = {}, {}
    inner_ids = {id(v) for v in inner.variables} if inner is not None else set()
    for variable in optimizer.variables:
        name = owner.get(id(variable)) or _unique(used, variable.name)
        if id(variable) in inner_ids and id(variable) not in owner:
            name = "inner/" + name
        out[prefix + name] = variable
    return out


def state_variables(model) -> dict:
    """``{path: Variable}`` for everything a training step of ``model`` reads or writes."""
    from keraslite.optimizers import Optimizer

    out = layer_variables(model)
    weight_paths = {id(v): path for path, v in out.items()}
    seen = set(weight_paths)
    main = getattr(model, "optimizer", None)
    groups = []
    if main is not None:
        groups.append(optimizer_variables(main, "optimizer/", weight_paths))
    for name, opt in held_objects(model, Optimizer):
        if opt is not main:
            groups.append(optimizer_variables(opt, f"optimizers/{name}/", weight_paths))
    metric_names = {}
    for metric in all_metrics(model):
        base = "metrics/" + _unique(metric_names, metric.name) + "/"
        groups.append(_metric_paths(metric, base))
    for group in groups:
        for path, variable in group.items():
            if id(variable) not in seen:
                seen.add(id(variable))
                out[path] = variable
    return out


def _metric_paths(metric, base):
    used = {}
    return {base + _unique(used, v.name): v for v in metric.variables}


def held_objects(model, cls) -> list:
    """``(attribute name, object)`` for every ``cls`` instance set as an attribute of the model
    (or inside a list/tuple attribute), each once, in attribute order."""
    found, ids = [], set()
    for attr, value in vars(model).items():
        items = value if isinstance(value, (list, tuple)) else [value]
        for i, item in enumerate(items):
            if isinstance(item, cls) and id(item) not in ids:
                ids.add(id(item))
                name = attr.lstrip("_") if not isinstance(value, (list, tuple)) else \
                    f"{attr.lstrip('_')}_{i}"
                found.append((name, item))
    return found


def all_metrics(model) -> list:
    """The compiled metrics (``model.metrics``) and every metric held as an attribute."""
    from keraslite.metrics import Metric

    found = [m for m in model.metrics if m is not None]
    ids = {id(m) for m in found}
    for _, metric in held_objects(model, Metric):
        if id(metric) not in ids:
            ids.add(id(metric))
            found.append(metric)
    return found


def get_state(model) -> dict:
    """``{path: np.ndarray}``: a copy of the whole training state."""
    return {path: np.asarray(v.numpy()) for path, v in state_variables(model).items()}


def set_state(model, state: dict, source: str = "set_state()") -> None:
    """Assigns a mapping from ``get_state``; every path and shape is checked before anything is
    assigned, so a mismatch leaves the model unchanged."""
    if not isinstance(state, dict):
        raise TypeError(f"{source} expects a dict {{path: array}} from get_state(). "
                        f"Received: {type(state).__name__}")
    variables = state_variables(model)
    missing = [p for p in variables if p not in state]
    unknown = [p for p in state if p not in variables]
    if missing or unknown:
        raise ValueError(
            f"{source}: the state does not match model '{model.name}'. Missing paths: "
            f"{missing[:5]}{' ...' if len(missing) > 5 else ''}; unknown paths: "
            f"{unknown[:5]}{' ...' if len(unknown) > 5 else ''}."
        )
    plan = []
    for path, variable in variables.items():
        array = np.asarray(state[path])
        numeric = array.dtype.kind in "biuf" or array.dtype.name == "bfloat16"
        if not numeric or tuple(array.shape) != tuple(variable.shape):
            raise ValueError(
                f"{source}: '{path}' must be a numeric array of shape {tuple(variable.shape)}. "
                f"Received: shape={tuple(array.shape)}, dtype={array.dtype}"
            )
        plan.append((variable, array))
    for variable, array in plan:
        variable.assign(array.astype(variable.dtype, copy=False))
