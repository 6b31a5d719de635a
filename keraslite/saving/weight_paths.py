"""Stable names for a model's variables in weight files.

A variable's key is its place in the layer tree, not the layers' names: each sublayer is named by
its class in snake case, numbered within its parent when a class repeats (``dense``, ``dense_1``),
then ``vars/<i>`` for the layer's own weights in creation order and ``seeds/<i>`` for the state of
its random generators. So a model rebuilt in another process, where automatic layer names
differ, maps to the same keys; only the architecture has to match.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from keraslite.utils.naming import to_snake_case

if TYPE_CHECKING:
    from keraslite.layers.layer import Layer
    from keraslite.optimizers.optimizer import Optimizer
    from keraslite.variables import Variable


def named_variables(layer: Layer, include_seeds: bool = True) -> dict[str, Variable]:
    """``{key: Variable}`` for every weight (and RNG state) of ``layer`` and its sublayers."""
    out: dict[str, Variable] = {}
    seen: set[int] = set()
    _walk(layer, "", out, seen, include_seeds)
    return out


def _walk(layer, prefix, out, seen, include_seeds):
    for i, variable in enumerate(layer._own_weights()):
        _put(out, seen, f"{prefix}vars/{i}", variable)
    if include_seeds:
        for i, generator in enumerate(layer._seed_generators):
            _put(out, seen, f"{prefix}seeds/{i}", generator.state)
    used = {}
    for sublayer in layer._layers:
        base = to_snake_case(type(sublayer).__name__)
        count = used.get(base, 0)
        used[base] = count + 1
        name = base if count == 0 else f"{base}_{count}"
        _walk(sublayer, f"{prefix}layers/{name}/", out, seen, include_seeds)


def _put(out, seen, key, variable):
    # A layer shared by two parents owns its variables once: the first path wins.
    if id(variable) not in seen:
        seen.add(id(variable))
        out[key] = variable


def optimizer_variables(optimizer: Optimizer) -> dict[str, Variable]:
    """``{key: Variable}`` for an optimizer's state, in its own variable order."""
    return {f"optimizer/vars/{i}": v for i, v in enumerate(optimizer.variables)}
