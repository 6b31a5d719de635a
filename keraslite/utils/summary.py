"""``model.summary()``: a table of layers, output shapes and parameter counts, drawn with ``rich``."""
from __future__ import annotations

import io
import sys

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Column end positions, as fractions of the line length (the "Trainable" column comes on top).
_SEQUENTIAL_POSITIONS = (0.47, 0.80, 1.0)
_FUNCTIONAL_POSITIONS = (0.30, 0.57, 0.73, 1.0)
_DEFAULT_LINE_LENGTH = 76
_TRAINABLE_WIDTH = 9


# -- numbers ------------------------------------------------------------------------------------
def _dtype_bits(dtype) -> float:
    name = str(getattr(dtype, "name", dtype))
    if name == "bool":
        return 1
    if name == "bfloat16":
        return 16
    try:
        return np.dtype(name).itemsize * 8
    except TypeError:
        return 32


def count_params(weights) -> int:
    """Number of scalars in ``weights`` (each variable counted once)."""
    return int(sum(int(np.prod(w.shape)) for w in _unique(weights)))


def weights_size_bytes(weights) -> float:
    """Memory of ``weights`` in bytes (each variable counted once)."""
    bits = sum(int(np.prod(w.shape)) * _dtype_bits(getattr(w, "dtype", "float32"))
               for w in _unique(weights))
    return bits / 8


def readable_size(num_bytes: float) -> str:
    """``92.00 B``, ``1.56 MB``..."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes < 1024:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def _unique(weights):
    seen, out = set(), []
    for w in weights or ():
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


# -- graph helpers ------------------------------------------------------------------------------
def _is_sequential_class(model) -> bool:
    return any(cls.__name__ == "Sequential" for cls in type(model).__mro__)


def _model_nodes(model):
    """The nodes that belong to ``model``'s graph, or None when it has no graph (subclassed)."""
    graph = getattr(model, "_functional", None) or model
    nodes = getattr(graph, "_nodes", None)
    return list(nodes) if nodes is not None else None


def _layer_nodes(layer, model_node_ids):
    nodes = list(getattr(layer, "_inbound_nodes", None) or [])
    if model_node_ids is None:
        return nodes
    return [n for n in nodes if id(n) in model_node_ids]


def _node_inputs(node):
    return list(getattr(node, "input_tensors", None) or [])


def _is_sequential_like(model, nodes) -> bool:
    """True when the graph is a plain chain: no branching, merging, or shared layers."""
    if _is_sequential_class(model) or nodes is None:
        return True
    consumers = {}
    input_nodes = 0
    calls_per_layer = {}
    for node in nodes:
        tensors = _node_inputs(node)
        if not tensors:
            input_nodes += 1
            continue
        if len(tensors) > 1:
            return False
        layer = getattr(node, "layer", None)
        calls_per_layer[id(layer)] = calls_per_layer.get(id(layer), 0) + 1
        for t in tensors:
            history = getattr(t, "_history", None)
            key = id(t) if history is None else (id(history[0]), history[1], history[2])
            consumers[key] = consumers.get(key, 0) + 1
    outputs = getattr(getattr(model, "_functional", None) or model, "outputs", None) or []
    return (input_nodes <= 1 and len(outputs) <= 1 and all(c == 1 for c in consumers.values())
            and all(c == 1 for c in calls_per_layer.values()))


def _format_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _format_structure(struct) -> str:
    if struct is None:
        return "?"
    if isinstance(struct, dict):
        return "{" + ", ".join(f"{k}: {_format_structure(v)}" for k, v in struct.items()) + "}"
    if isinstance(struct, (list, tuple)) and not _is_shape(struct):
        return "[" + ", ".join(_format_structure(s) for s in struct) + "]"
    shape = getattr(struct, "shape", struct)
    if _is_shape(shape):
        return _format_shape(shape)
    return "?"


def _is_shape(value) -> bool:
    return isinstance(value, tuple) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value
    )


def _output_shape_text(layer, nodes) -> str:
    try:
        if nodes:
            return _format_structure(getattr(nodes[0], "outputs", None)
                                     if hasattr(nodes[0], "outputs") else layer.output)
        if getattr(layer, "_inbound_nodes", None):
            return _format_structure(layer.output)
        # A layer only ever called on real data (subclassed models): infer from its build shape.
        build_shape = getattr(layer, "_build_input_shape", None)
        if getattr(layer, "built", False) and build_shape is not None:
            return _format_structure(layer.compute_output_shape(build_shape))
    except Exception:  # noqa: BLE001 - a summary must never fail because one shape is unknown
        pass
    return "?"


def _params_text(layer) -> str:
    if not getattr(layer, "built", False):
        return "0 (unbuilt)"
    try:
        return f"{layer.count_params():,}"
    except ValueError:
        return "0 (unbuilt)"


def _connected_to_text(layer, nodes) -> str:
    names = []
    for node in nodes:
        for tensor in _node_inputs(node):
            history = getattr(tensor, "_history", None)
            if history is None:
                continue
            inbound, node_index, tensor_index = history
            names.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    return ", ".join(names) if names else "-"


def _trainable_text(layer) -> Text:
    if not getattr(layer, "weights", None):
        return Text("-")
    if getattr(layer, "trainable", True):
        return Text("Y", style="bold green")
    return Text("N", style="bold red")


# -- the table ----------------------------------------------------------------------------------
def _column_widths(line_length, positions, n_main, show_trainable):
    """Content width of each column so that the whole table is ``line_length`` wide."""
    main_length = line_length - (_TRAINABLE_WIDTH + 3 if show_trainable else 0)
    if positions[-1] <= 1:
        positions = [p * main_length for p in positions]
    ends = [int(round(p)) for p in positions][:n_main]
    while len(ends) < n_main:  # too few positions given: spread the rest evenly
        ends.append(ends[-1] + max((main_length - ends[-1]) // (n_main - len(ends)), 8))
    widths, start = [], 0
    for end in ends:
        widths.append(max(end - start - 3, 4))  # 3 = one border and the padding on both sides
        start = end
    widths[0] = max(widths[0] - 1, 4)  # the closing border
    if show_trainable:
        widths.append(_TRAINABLE_WIDTH)
    return widths


def _rows(model, layers, node_ids, connected, show_trainable, expand_nested, depth=0):
    rows = []
    for layer in layers:
        nodes = _layer_nodes(layer, node_ids)
        prefix = "   " * depth + ("└ " if depth else "")
        row = [
            Text(f"{prefix}{layer.name} ({type(layer).__name__})"),
            Text(_output_shape_text(layer, nodes)),
            Text(_params_text(layer)),
        ]
        if connected:
            row.append(Text(_connected_to_text(layer, nodes) if depth == 0 else ""))
        if show_trainable:
            row.append(_trainable_text(layer))
        rows.append(row)
        inner = getattr(layer, "layers", None)
        if expand_nested and inner:
            inner_nodes = _model_nodes(layer)
            inner_ids = None if inner_nodes is None else {id(n) for n in inner_nodes}
            rows.extend(_rows(layer, list(inner), inner_ids, connected, show_trainable,
                              expand_nested, depth + 1))
    return rows


def summary_lines(model, line_length=None, positions=None, expand_nested=False,
                  show_trainable=False, color=False):
    """The lines ``print_summary`` prints (with ANSI styles only if ``color``)."""
    nodes = _model_nodes(model)
    node_ids = None if nodes is None else {id(n) for n in nodes}
    connected = not _is_sequential_like(model, nodes)
    if line_length is None:
        line_length = _DEFAULT_LINE_LENGTH + (_TRAINABLE_WIDTH + 3 if show_trainable else 0)
    line_length = int(line_length)
    if positions is None:
        positions = _FUNCTIONAL_POSITIONS if connected else _SEQUENTIAL_POSITIONS
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    widths = _column_widths(line_length, list(positions), len(headers), show_trainable)
    if show_trainable:
        headers.append("Trainable")

    table = Table(box=box.HEAVY_HEAD, show_lines=True, header_style="bold", expand=False)
    for header, width in zip(headers, widths):
        justify = {"Param #": "right", "Trainable": "center"}.get(header, "left")
        table.add_column(header, width=width, justify=justify, no_wrap=False)
    for row in _rows(model, list(getattr(model, "layers", []) or []), node_ids, connected,
                     show_trainable, expand_nested):
        table.add_row(*row)

    buffer = io.StringIO()
    console = Console(file=buffer, width=max(line_length, sum(widths) + 3 * len(widths) + 1),
                      force_terminal=color, color_system="auto" if color else None,
                      force_jupyter=False, highlight=False, emoji=False, markup=False)
    console.print(Text(f'Model: "{model.name}"', style="bold"))
    console.print(table)

    trainable = _unique(getattr(model, "trainable_weights", []))
    non_trainable = _unique(getattr(model, "non_trainable_weights", []))
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = []
    if optimizer is not None and getattr(optimizer, "built", True):
        optimizer_vars = _unique(getattr(optimizer, "variables", None) or [])
    all_weights = trainable + non_trainable + optimizer_vars
    totals = [("Total params", all_weights), ("Trainable params", trainable),
              ("Non-trainable params", non_trainable)]
    if optimizer_vars:
        totals.append(("Optimizer params", optimizer_vars))
    for label, weights in totals:
        line = Text(f" {label}: ", style="bold")
        line.append(f"{count_params(weights):,} ({readable_size(weights_size_bytes(weights))})")
        console.print(line)
    return buffer.getvalue().rstrip("\n").split("\n")


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False):
    """Prints a summary of ``model``: one row per layer, then parameter totals.

    Args:
        model: the model to describe.
        line_length: total width of the table in characters (default 76).
        positions: where each column ends, as fractions of ``line_length`` (or absolute
            positions when greater than 1).
        print_fn: called with each line of text (plain, no colors) instead of printing.
        expand_nested: also list the layers inside nested models.
        show_trainable: add a column saying whether each layer is trainable.
    """
    if print_fn is not None:
        for line in summary_lines(model, line_length, positions, expand_nested, show_trainable):
            print_fn(line)
        return
    stream = sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        color = bool(isatty and isatty())
    except (ValueError, OSError):
        color = False
    lines = summary_lines(model, line_length, positions, expand_nested, show_trainable, color)
    text = "\n".join(lines) + "\n"
    encoding = getattr(stream, "encoding", None)
    if encoding:
        try:
            text.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            text = text.encode(encoding, errors="replace").decode(encoding, errors="replace")
    stream.write(text)
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()
