"""Several inputs or several heads in one AutoModel, seen by AutoModel.fit as one of each.

``x`` for several inputs is a list (one entry per input, in the AutoModel's order) or a dict
by input name; it is prepared into one flat dict ``{model input name: array}`` (a table's
columns keep their own input names), which the built model takes as it is. ``y`` for several
heads is a list (one entry per head) or a dict by head name; the model's outputs are a dict by
head name, and ``predict`` returns a list of predictions, one per head, in the heads' order.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _targets(y: Any) -> Any:
    return y.to_numpy() if hasattr(y, "to_numpy") else y


def _length(value: Any) -> int:
    if isinstance(value, dict):
        return _length(next(iter(value.values()))) if value else 0
    return int(np.shape(value)[0]) if np.ndim(value) else 0


def _by_name(value: Any, names: list, what: str, kind: str) -> list:
    """One entry per name from a list/tuple (in order) or a dict (by name)."""
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        extra = [k for k in value if k not in names]
        if missing or extra:
            raise ValueError(f"{what}: expected a dict with one entry per {kind} {names}. "
                             f"Missing {missing}, unknown {extra}.")
        return [value[n] for n in names]
    if not isinstance(value, (list, tuple)) or len(value) != len(names):
        size = len(value) if isinstance(value, (list, tuple)) else type(value).__name__
        raise ValueError(f"{what}: expected a list of {len(names)} entries (one per {kind}: "
                         f"{names}) or a dict by {kind} name. Received: {size}")
    return list(value)


class InputGroup:
    """The input nodes of an AutoModel with several inputs, acting as one input node."""

    def __init__(self, nodes: list) -> None:
        self.nodes = list(nodes)
        self._columns: dict = {}  # node name -> its keys in the flat dict (None: one array)

    @property
    def name(self) -> str:
        return "inputs " + ", ".join(str(n.name) for n in self.nodes)

    def forget(self) -> None:
        for node in self.nodes:
            node.forget()

    def prepare(self, x: Any, what: str = "x") -> dict:
        parts = _by_name(x, [n.name for n in self.nodes], what, "input")
        flat: dict = {}
        lengths: dict = {}
        for node, part in zip(self.nodes, parts):
            prepared = node.prepare(part, what)
            lengths[node.name] = _length(prepared)
            if isinstance(prepared, dict):  # a table: one array per column
                self._columns[node.name] = list(prepared)
                flat.update(prepared)
            else:
                self._columns[node.name] = None
                flat[node.name] = prepared
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{what}: every input must have the same number of samples. "
                             f"Received {lengths}.")
        return flat

    def adapt(self, x: dict) -> None:
        for node in self.nodes:
            keys = self._columns[node.name]
            node.adapt(x[node.name] if keys is None else {k: x[k] for k in keys})

    def build_inputs(self, tensors: list) -> dict:
        """The model's inputs as one dict by name, from each node's input tensor(s)."""
        merged: dict = {}
        for node, tensor in zip(self.nodes, tensors):
            merged.update(tensor if isinstance(tensor, dict) else {node.name: tensor})
        return merged


class HeadGroup:
    """The heads of an AutoModel with several heads, acting as one head."""

    def __init__(self, heads: list) -> None:
        self.heads = list(heads)

    @property
    def name(self) -> str:
        return "heads " + ", ".join(str(h.name) for h in self.heads)

    @property
    def names(self) -> list:
        return [h.name for h in self.heads]

    def collect(self, y: Any) -> dict:
        """Targets given as a list or dict -> a dict by head name (checked)."""
        parts = [_targets(part) for part in _by_name(y, self.names, "y", "head")]
        lengths = {name: _length(part) for name, part in zip(self.names, parts)}
        if len(set(lengths.values())) > 1:
            raise ValueError("y: every head's targets must have the same number of samples. "
                             f"Received {lengths}.")
        return dict(zip(self.names, parts))

    def adapt(self, y: dict) -> None:
        for head in self.heads:
            head.adapt(y[head.name])

    def encode(self, y: dict) -> dict:
        return {head.name: head.encode(y[head.name]) for head in self.heads}

    def decode(self, output: Any) -> list:
        if isinstance(output, np.ndarray) and output.dtype == object and output.ndim == 0:
            output = output.item()  # np.asarray of the model's dict of outputs
        return [head.decode(np.asarray(output[head.name])) for head in self.heads]

    def compile_args(self) -> tuple:
        losses, metrics = {}, {}
        for head in self.heads:
            losses[head.name], metrics[head.name] = head.compile_args()
        return losses, metrics
