"""Stable names for a model's variables in weight files: the model state's paths.

Files are keyed like ``Model.get_state()`` (``training/model_state.py``): a variable's key is its
place in the layer tree, each sublayer named by its class in snake case and numbered within its
parent when a class repeats (``layers/dense_1/kernel``), RNG states as
``.../seed_generator/state``, optimizer slots after the weight they follow
(``optimizer/momentum/layers/dense/kernel``). A model rebuilt in another process, where
automatic layer names differ, maps to the same keys; only the architecture has to match.

Files written before these paths (``layers/<class>/vars/<i>``, ``seeds/<i>``,
``optimizer/vars/<i>``) still load: the reader picks the scheme the file's keys match.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from keraslite.layers.layer_members import overrides_saving_hooks
from keraslite.training import model_state
from keraslite.utils.naming import to_snake_case

if TYPE_CHECKING:
    from keraslite.layers.layer import Layer
    from keraslite.optimizers.optimizer import Optimizer
    from keraslite.variables import Variable


def named_variables(layer: Layer, include_seeds: bool = True) -> dict[str, Variable]:
    """``{key: Variable}`` for every weight (and RNG state) of ``layer`` and its sublayers."""
    out = model_state.layer_variables(layer)
    if include_seeds:
        return out
    seeds = {id(v) for v in layer._all_seed_variables()}
    return {k: v for k, v in out.items() if id(v) not in seeds}


def optimizer_variables(optimizer: Optimizer, layer: Layer) -> dict[str, Variable]:
    """``{key: Variable}`` for an optimizer's state; slots are keyed by their weight's path."""
    weight_paths = {id(v): k for k, v in model_state.layer_variables(layer).items()}
    return model_state.optimizer_variables(optimizer, "optimizer/", weight_paths)


def hooked_layer_prefixes(layer: Layer) -> list[tuple[str, Layer]]:
    """``(key prefix, layer)`` for every layer of the tree that overrides the saving hooks,
    with the prefix ``named_variables`` gives its variables (``layers/encoder/``; "" for
    ``layer`` itself). A layer reached twice keeps its first prefix, as its variables do."""
    out: list[tuple[str, Layer]] = []
    seen: set[int] = set()

    def walk(current, prefix):
        if id(current) not in seen:
            seen.add(id(current))
            if overrides_saving_hooks(current):
                out.append((prefix, current))
        used: dict[str, int] = {}
        for sublayer in current._layers:
            base = to_snake_case(type(sublayer).__name__)
            count = used.get(base, 0)
            used[base] = count + 1
            walk(sublayer, f"{prefix}layers/{base if count == 0 else f'{base}_{count}'}/")

    walk(layer, "")
    return out


def is_seed_key(key: str) -> bool:
    """True for the key of an RNG state, in either scheme."""
    parts = key.split("/")
    return (len(parts) >= 2 and parts[-2] == "seeds") or (
        parts[-1] == "state" and len(parts) >= 2 and parts[-2].startswith("seed_generator"))


def variables_for_keys(layer: Layer, keys, include_seeds: bool = True) -> dict[str, Variable]:
    """The model's variables under the scheme the file's ``keys`` were written in."""
    current = named_variables(layer, include_seeds)
    keys = set(keys)
    if keys & set(current) or not keys:
        return current
    legacy = legacy_named_variables(layer, include_seeds)
    return legacy if len(keys & set(legacy)) > 0 else current


def optimizer_variables_for_keys(optimizer: Optimizer, layer: Layer,
                                 keys) -> dict[str, Variable]:
    """``optimizer_variables`` under the scheme the file's ``keys`` were written in."""
    current = optimizer_variables(optimizer, layer)
    if set(keys) & set(current) or not keys:
        return current
    return {f"optimizer/vars/{i}": v for i, v in enumerate(optimizer.variables)}


def legacy_named_variables(layer: Layer, include_seeds: bool = True) -> dict[str, Variable]:
    """The keys of files written before the state paths: ``vars/<i>`` in creation order."""
    out: dict[str, Variable] = {}
    seen: set[int] = set()
    _walk_legacy(layer, "", out, seen, include_seeds)
    return out


def _walk_legacy(layer, prefix, out, seen, include_seeds):
    for i, variable in enumerate(layer._own_weights()):
        _put(out, seen, f"{prefix}vars/{i}", variable)
    if include_seeds:
        for i, generator in enumerate(layer._seed_generators):
            _put(out, seen, f"{prefix}seeds/{i}", generator.state)
    used: dict[str, int] = {}
    for sublayer in layer._layers:
        base = to_snake_case(type(sublayer).__name__)
        count = used.get(base, 0)
        used[base] = count + 1
        name = base if count == 0 else f"{base}_{count}"
        _walk_legacy(sublayer, f"{prefix}layers/{name}/", out, seen, include_seeds)


def _put(out, seen, key, variable):
    # A layer shared by two parents owns its variables once: the first path wins.
    if id(variable) not in seen:
        seen.add(id(variable))
        out[key] = variable
