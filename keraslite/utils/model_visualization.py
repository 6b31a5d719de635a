"""plot_model and model_to_dot: a model's layer graph drawn with pydot and graphviz's ``dot``.

One graph node per layer (labelled with its class, and on request its name, activation, shapes,
dtype and trainable flag), one edge per tensor passed between layers. A Sequential model is a
chain; a functional model follows its graph; a subclassed model is a single node, as in Keras.
"""
from __future__ import annotations

import os
import shutil
from typing import Any

_INSTALL_DOT = ("Install graphviz with your system's package manager (e.g. `apt-get install "
                "graphviz` or `brew install graphviz`) so that `dot` is on the PATH.")


def _pydot():
    """The ``pydot`` module, or an ImportError naming it and how to install it."""
    try:
        import pydot
    except ImportError as error:
        raise ImportError("plot_model/model_to_dot need the `pydot` package, which is not "
                          "installed. Install it with `pip install pydot` (and graphviz's `dot` "
                          "program: " + _INSTALL_DOT + ")") from error
    return pydot


def _is_sequential(model) -> bool:
    return any(cls.__name__ == "Sequential" for cls in type(model).__mro__)


def _graph(model):
    """The Functional graph behind ``model`` (itself, or a built Sequential's), or None."""
    graph = getattr(model, "_functional", None) or model
    return graph if getattr(graph, "_nodes", None) is not None else None


def _is_graph_model(layer) -> bool:
    return _is_sequential(layer) or _graph(layer) is not None


def _layer_node(layer, graph):
    """The call of ``layer`` that belongs to ``graph`` (for its shapes), or None."""
    if graph is None:
        return None
    in_graph = {id(n) for n in graph._nodes}
    for node in getattr(layer, "_inbound_nodes", None) or []:
        if id(node) in in_graph:
            return node
    return None


def _shapes(tensors) -> str:
    shapes = ["(" + ", ".join(str(d) for d in t.shape) + ")" for t in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _label(layer, node, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable) -> str:
    title = type(layer).__name__
    if show_layer_names:
        title = f"{layer.name} ({title})"
    lines = [title]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append("activation: " + getattr(activation, "__name__", str(activation)))
    if show_shapes:
        outputs = node.output_tensors if node is not None else []
        # An InputLayer's node has no inputs: its input is the tensor it emits.
        inputs = (node.input_tensors or outputs) if node is not None else []
        lines.append("input: " + (_shapes(inputs) if inputs else "?"))
        lines.append("output: " + (_shapes(outputs) if outputs else "?"))
    if show_dtype:
        outputs = node.output_tensors if node is not None else []
        dtype = outputs[0].dtype if outputs else getattr(layer, "dtype", "?")
        lines.append(f"dtype: {dtype}")
    if show_trainable:
        lines.append(f"trainable: {bool(getattr(layer, 'trainable', True))}")
    # graphviz reads "\n" inside a quoted label as a line break.
    return "\\n".join(line.replace('"', "'") for line in lines)


def _layers_and_edges(model, graph):
    """(layers in drawing order, edges as (source, destination, input index, output index))."""
    if _is_sequential(model):
        layers = list(model.layers)
        return layers, [(a, b, 0, 0) for a, b in zip(layers, layers[1:])]
    layers, seen, edges = [], set(), []
    for node in graph._nodes:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(node.layer)
        for input_index, tensor in enumerate(node.input_tensors):
            if tensor._history is not None:
                source, _, output_index = tensor._history
                edges.append((source, node.layer, input_index, output_index))
    return layers, edges


def _inner_source(layer, output_index):
    """The innermost layer producing output ``output_index`` of a nested model."""
    while _is_graph_model(layer) and _graph(layer) is not None:
        tensor = _graph(layer)._output_tensors[output_index]
        layer, _, output_index = tensor._history
    return layer


def _inner_destination(layer, input_index):
    """The innermost layer receiving input ``input_index`` of a nested model."""
    while _is_graph_model(layer):
        if _is_sequential(layer):
            layer = layer.layers[0]
            input_index = 0
        else:
            layer = _graph(layer)._input_tensors[input_index]._history[0]
    return layer


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, splines: str = "ortho", **kwargs: Any):
    """The model's layer graph as a ``pydot.Dot`` (a ``pydot.Cluster`` when ``subgraph``)."""
    pydot = _pydot()
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("model_to_dot: layer_range is not supported (nor is it by Keras 3).")
    if kwargs:
        raise ValueError(f"model_to_dot: unrecognized keyword arguments {sorted(kwargs)}.")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' or 'LR'. Received: rankdir={rankdir!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(f"dpi must be a positive number. Received: dpi={dpi!r}")
    if not getattr(model, "built", True) and _graph(model) is None \
            and not (_is_sequential(model) and model.layers):
        raise ValueError(f"Model {model.name!r} has not been built yet: call it on data or "
                         "call build() first, then plot it.")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name, label=model.name)
    else:
        dot = pydot.Dot(graph_type="digraph")
        dot.set("rankdir", rankdir)
        dot.set("splines", splines)  # graphviz's edge style, as in Keras
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set_node_defaults(shape="box")
    show = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names,
                show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    graph = _graph(model)
    if graph is None and not _is_sequential(model):
        # A subclassed model has no graph to walk: draw it as one box, as Keras does.
        dot.add_node(pydot.Node(str(id(model)), label=_label(model, None, **show)))
        return dot
    layers, edges = _layers_and_edges(model, graph)
    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(layer, rankdir=rankdir, expand_nested=True,
                                          subgraph=True, **show))
        else:
            node = _layer_node(layer, graph)
            dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, node, **show)))
    drawn = set()
    for source, destination, input_index, output_index in edges:
        if expand_nested:
            source = _inner_source(source, output_index)
            destination = _inner_destination(destination, input_index)
        key = (id(source), id(destination))
        if key not in drawn:  # one arrow per pair of layers, however many tensors they share
            drawn.add(key)
            dot.add_edge(pydot.Edge(str(id(source)), str(id(destination))))
    return dot


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               splines: str = "ortho", **kwargs: Any):
    """Draws the model's layer graph into ``to_file`` (its extension picks the format: png,
    svg, pdf, ...) with graphviz's ``dot``. Returns an ``IPython.display.Image`` where IPython
    is installed and the file is not a PDF, else None."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if shutil.which("dot") is None:
        raise ImportError("plot_model draws with graphviz's `dot` program, which is not on the "
                          "PATH. " + _INSTALL_DOT)
    try:
        data = dot.create(prog="dot", format=extension)
    except Exception as error:  # pydot reports dot's own complaint (e.g. an unknown format)
        raise ValueError(f"plot_model: graphviz's `dot` could not draw {to_file!r} as "
                         f"{extension!r}: {error}") from None
    from keraslite.saving.atomic_io import atomic_write_bytes

    atomic_write_bytes(to_file, data)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
