"""``get_source_inputs``: the Input tensors a symbolic tensor is computed from."""
from __future__ import annotations

from typing import Any


def get_source_inputs(tensor: Any) -> list:
    """The ``Input`` tensors that ``tensor`` depends on, in first-reached order (a tensor with
    no recorded history is its own source, as in Keras)."""
    sources, seen = [], set()
    stack = [tensor]
    while stack:
        current = stack.pop()
        history = getattr(current, "_history", None)
        if history is None:
            if id(current) not in seen:
                seen.add(id(current))
                sources.append(current)
            continue
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if node.is_input:
            if id(current) not in seen:
                seen.add(id(current))
                sources.append(current)
            continue
        # Reversed, so the first input is explored first and keeps the order of the call.
        stack.extend(reversed(node.input_tensors))
    return sources
