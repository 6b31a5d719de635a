"""Searchable blocks for sequences and for joining branches.

=================  ==========================================================================
RNNBlock           ``layer_type`` lstm|gru (lstm), ``num_layers`` 1|2|3 (1), ``units``
                   16|32|64|128 (32), ``bidirectional`` (False); ``return_sequences`` (False)
                   is fixed by the caller
TemporalReduction  ``reduction_type`` global_avg|global_max|flatten (global_avg)
Merge              ``merge_type`` concatenate|add (concatenate)
=================  ==========================================================================

The defaults in brackets are the first configuration the search tries; an argument given a
value is fixed, not searched.
"""
from __future__ import annotations

from typing import Any, Optional

from keraslite import layers
from keraslite.automl.nodes import Block

_REDUCTIONS = ["global_avg", "global_max", "flatten"]


def choice(hp: Any, name: str, fixed: Any, values: list, default: Any) -> Any:
    """A user's fixed value wins (after a check); otherwise the value is searched."""
    if fixed is not None:
        return fixed
    return hp.Choice(name, values, default=default)


def check_option(block: str, argument: str, value: Any, allowed: list) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{block}: {argument} must be one of {allowed} (or None to search "
                         f"it). Received: {value!r}")


def one_input(block: Block, inputs: list) -> Any:
    if len(inputs) != 1:
        raise ValueError(f"{block.name} takes one input, received {len(inputs)}; join "
                         "several with Merge first.")
    return inputs[0]


def reduce_sequence(x: Any, reduction: str) -> Any:
    """(batch, steps, features) -> (batch, features) (or steps*features for flatten)."""
    if reduction == "global_max":
        return layers.GlobalMaxPooling1D()(x)
    if reduction == "global_avg":
        return layers.GlobalAveragePooling1D()(x)
    return layers.Flatten()(x)


class RNNBlock(Block):
    """Stacked LSTM or GRU layers over (batch, steps, features) inputs."""

    def __init__(self, return_sequences: bool = False, bidirectional: Optional[bool] = None,
                 num_layers: Optional[int] = None, layer_type: Optional[str] = None,
                 units: Optional[int] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        check_option("RNNBlock", "layer_type", layer_type, ["lstm", "gru"])
        check_option("RNNBlock", "num_layers", num_layers, [1, 2, 3])
        self.return_sequences, self.bidirectional = return_sequences, bidirectional
        self.num_layers, self.layer_type, self.units = num_layers, layer_type, units

    def build(self, hp: Any, inputs: list) -> Any:
        x = one_input(self, inputs)
        if len(x.shape) != 3:
            raise ValueError(f"{self.name} takes sequences (batch, steps, features); received "
                             f"a tensor of shape {tuple(x.shape)}.")
        kind = choice(hp, "layer_type", self.layer_type, ["lstm", "gru"], "lstm")
        count = choice(hp, "num_layers", self.num_layers, [1, 2, 3], 1)
        units = choice(hp, "units", self.units, [16, 32, 64, 128], 32)
        both_ways = (bool(self.bidirectional) if self.bidirectional is not None
                     else hp.Boolean("bidirectional", default=False))
        layer_class = layers.LSTM if kind == "lstm" else layers.GRU
        for i in range(count):
            # Every layer but the last hands its whole sequence on to the next.
            sequences = self.return_sequences or i < count - 1
            layer = layer_class(units, return_sequences=sequences)
            x = (layers.Bidirectional(layer) if both_ways else layer)(x)
        return x


class TemporalReduction(Block):
    """(batch, steps, features) -> (batch, features) by global max, global average or
    flattening; a rank-2 input passes through unchanged."""

    def __init__(self, reduction_type: Optional[str] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        check_option("TemporalReduction", "reduction_type", reduction_type, _REDUCTIONS)
        self.reduction_type = reduction_type

    def build(self, hp: Any, inputs: list) -> Any:
        x = one_input(self, inputs)
        if len(x.shape) == 2:
            return x
        if len(x.shape) != 3:
            raise ValueError(f"{self.name} takes sequences (batch, steps, features); received "
                             f"a tensor of shape {tuple(x.shape)}.")
        reduction = choice(hp, "reduction_type", self.reduction_type, _REDUCTIONS,
                           "global_avg")
        return reduce_sequence(x, reduction)


class Merge(Block):
    """Joins several branches by concatenation or addition. Inputs of rank > 2 are flattened
    first; for ``add``, a branch narrower than the widest is projected to its width by a
    Dense layer, so any set of branches can be merged."""

    def __init__(self, merge_type: Optional[str] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        check_option("Merge", "merge_type", merge_type, ["concatenate", "add"])
        self.merge_type = merge_type

    def build(self, hp: Any, inputs: list) -> Any:
        if not inputs:
            raise ValueError(f"{self.name} needs at least one input.")
        flat = [layers.Flatten()(x) if len(x.shape) > 2 else x for x in inputs]
        if len(flat) == 1:
            return flat[0]
        kind = choice(hp, "merge_type", self.merge_type, ["concatenate", "add"], "concatenate")
        if kind == "concatenate":
            return layers.Concatenate()(flat)
        width = max(int(x.shape[-1]) for x in flat)
        flat = [x if int(x.shape[-1]) == width else layers.Dense(width)(x) for x in flat]
        return layers.Add()(flat)
