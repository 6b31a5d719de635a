"""Traced loops shared between models whose graphs are the same, up to names.

A tuner search builds a new model for every trial. Two trials with the same architecture and
other optimizer settings (the learning rate is an optimizer variable passed in with the state,
not a constant in the graph) trace the same graph, except for names: layer names
(``dense_7/MatMul``) and the unique names TensorFlow gives functions. XLA caches compilations
per function, so each new model used to compile again. Here a traced graph is fingerprinted
with every node and function renamed by position, and a model whose fingerprint was seen
reuses that earlier concrete function, and so XLA's compiled program.

Only graphs that capture nothing are shared (every value arrives as an argument, so the graph
is all there is to the function); a concrete function keeps no reference to its model. The
``MAX_PROGRAMS`` most recently used are kept. ``compilations()`` counts the loops that were
not found here, for tests and benchmarks.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Optional

MAX_PROGRAMS = 16

_lock = threading.Lock()
_functions: "OrderedDict[str, Any]" = OrderedDict()
_count = 0


def compilations() -> int:
    """How many loops keraslite traced for compilation without finding a shared one."""
    return _count


def clear() -> None:
    with _lock:
        _functions.clear()


def lookup(key: Optional[str]) -> Any:
    """The concrete function stored under ``key``, or None (and counts a compilation)."""
    global _count
    with _lock:
        found = _functions.get(key) if key is not None else None
        if found is not None:
            _functions.move_to_end(key)
            return found
        _count += 1
        return None


def store(key: Optional[str], concrete: Any) -> None:
    if key is None:
        return
    with _lock:
        _functions[key] = concrete
        while len(_functions) > MAX_PROGRAMS:
            _functions.popitem(last=False)


def fingerprint(concrete: Any, *extra: Any, graph_def: Any = None) -> Optional[str]:
    """A hash of ``concrete``'s graph with its names replaced by positions, or None when the
    graph captures values from outside (it cannot be shared then). ``graph_def``: the graph's
    GraphDef if the caller has it already (serializing a loop's graph takes a while)."""
    if list(concrete.captured_inputs):
        return None
    graph_def = concrete.graph.as_graph_def() if graph_def is None else graph_def
    library = {f.signature.name: f for f in graph_def.library.function}
    canonical: dict = {}

    def function_id(name: str) -> str:
        if name not in canonical:
            if name not in library:
                canonical[name] = name  # a function from outside this graph: keep its name
            else:
                copy = type(library[name])()
                copy.CopyFrom(library[name])
                copy.signature.name = ""
                # Argument names embed the function's unique name: rename them by position.
                names = {}
                for prefix, args in (("a", copy.signature.input_arg),
                                     ("o", copy.signature.output_arg)):
                    for i, arg in enumerate(args):
                        names[arg.name] = f"{prefix}{i}"
                        arg.name = f"{prefix}{i}"
                names.update(_rename_nodes(copy.node_def, function_id, names))
                results = {names[k]: _renamed_input(v, names) for k, v in copy.ret.items()}
                copy.ClearField("ret")
                for key, value in results.items():
                    copy.ret[key] = value
                copy.ClearField("control_ret")
                canonical[name] = "f" + _digest(copy.SerializeToString(deterministic=True))
        return canonical[name]

    outer = type(graph_def)()
    outer.node.extend(graph_def.node)
    _rename_nodes(outer.node, function_id)
    parts = [outer.SerializeToString(deterministic=True)]
    parts += [repr(item).encode() for item in extra]
    return _digest(b"\x00".join(parts))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rename_nodes(nodes: Any, function_id, arguments: Optional[dict] = None) -> dict:
    """Renames ``nodes`` (NodeDefs) to their positions, rewriting their inputs (and the
    names in ``arguments``), and each function an attribute names to its canonical id; drops
    debug information. Returns the map of old node names to new."""
    names = {node.name: f"n{i}" for i, node in enumerate(nodes)}
    names.update(arguments or {})
    for node in nodes:
        node.name = names[node.name]
        inputs = [_renamed_input(name, names) for name in node.input]
        del node.input[:]
        node.input.extend(inputs)
        node.ClearField("experimental_debug_info")
        node.attr.pop("_class", None)  # colocation with a named node
        for value in node.attr.values():
            if value.HasField("func"):
                value.func.name = function_id(value.func.name)
            for func in value.list.func:
                func.name = function_id(func.name)
    return names


def _renamed_input(name: str, names: dict) -> str:
    control = name.startswith("^")
    base, sep, rest = name.lstrip("^").partition(":")
    base = names.get(base, base)  # function arguments keep their names (same for every model)
    return ("^" if control else "") + base + sep + rest
