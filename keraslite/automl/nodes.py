"""The graph of an AutoModel: input nodes, and blocks called on nodes (functional style).

``x = ImageInput(); y = ClassificationHead()(ConvBlock()(x))`` records a graph of plain Python
objects; nothing is built until a trial builds it with its hyperparameters (``graph.py``).
"""
from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np


def snake_name(obj: Any) -> str:
    """``ConvBlock`` -> ``conv_block``: the stem of an unnamed block's name."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()


class Node:
    """A value in the graph: made by ``block`` from ``inputs`` (none for an input node)."""

    def __init__(self, block: Optional["Block"] = None, inputs: tuple = ()) -> None:
        self.block = block
        self.inputs = tuple(inputs)


class InputNode(Node):
    """Where data enters. ``adapt(x)`` checks the data and remembers its shape and statistics,
    so the built model normalizes its own input (the exported model needs no preprocessing)."""

    def __init__(self, name: Optional[str] = None) -> None:
        super().__init__()
        # Unnamed nodes and blocks are named by the graph in a fixed order, so a rerun of the
        # same script names its hyperparameters the same way (resumable searches).
        self.name = name
        self.shape: Optional[tuple] = None
        self.mean: Optional[np.ndarray] = None
        self.variance: Optional[np.ndarray] = None

    def prepare(self, x: Any, what: str = "x") -> np.ndarray:
        """``x`` as a float32 array of the shape the model takes (checked)."""
        raise NotImplementedError

    def forget(self) -> None:
        """Drops what an earlier fit fixed (the shape), before a new fit."""
        self.shape = None

    def adapt(self, x: np.ndarray) -> None:
        self.shape = tuple(int(d) for d in x.shape[1:])
        axes = tuple(range(x.ndim - 1))  # one mean per feature / channel
        self.mean = x.mean(axis=axes, dtype=np.float64).astype(np.float32)
        self.variance = x.var(axis=axes, dtype=np.float64).astype(np.float32)

    def build_inputs(self, graph: Any) -> tuple:
        """(the model's input, the value blocks called on this node receive): the raw input,
        normalized with the training statistics unless every block called on it normalizes
        for itself (Normalization, ImageBlock) or there are none (token ids)."""
        from keraslite import layers

        tensor = layers.Input(shape=self.shape, name=self.name,
                              dtype=getattr(self, "dtype", None))
        consumers = [b for b in graph.blocks if any(n is self for n in b.inbound)]
        if self.mean is None or (consumers and all(getattr(b, "normalizes_input", False)
                                                   for b in consumers)):
            return tensor, tensor
        from keraslite.automl.stored_statistics import normalized

        return tensor, normalized(tensor, self.mean, self.variance)

    def check_shape(self, x: np.ndarray, what: str) -> None:
        if self.shape is not None and tuple(x.shape[1:]) != self.shape:
            raise ValueError(f"{what} of {self.name}: expected samples of shape {self.shape} "
                             f"(as in fit), received {tuple(x.shape[1:])}.")


def _as_array(x: Any, what: str, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"{what} of {name} must be a NumPy array. Received: {type(x).__name__}")
    try:
        array = np.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{what} of {name} must hold samples of one shape; NumPy could not "
                         f"stack them ({error}).") from None
    if array.dtype == object:
        raise ValueError(f"{what} of {name} must hold samples of one shape and a numeric "
                         "dtype. Received an array of dtype object (mixed shapes or values).")
    if not np.issubdtype(array.dtype, np.number) and array.dtype != bool:
        raise ValueError(f"{what} of {name} must be numeric. Received dtype {array.dtype}.")
    return array.astype(np.float32)


class ImageInput(InputNode):
    """Images: an array (samples, height, width) or (samples, height, width, channels)."""

    def prepare(self, x: Any, what: str = "x") -> np.ndarray:
        array = _as_array(x, what, self.name)
        if array.ndim == 3:
            array = array[..., None]  # grey images without a channel axis
        if array.ndim != 4:
            raise ValueError(f"{what} of {self.name}: expected images of shape (samples, "
                             "height, width[, channels]), received an array of shape "
                             f"{array.shape}.")
        self.check_shape(array, what)
        return array


class Block:
    """A searchable piece of network. Subclasses define ``build(hp, inputs)``, where ``inputs``
    is a list of keraslite tensors, and return one tensor. Hyperparameters are named inside the
    block's name scope, so two blocks of one kind search separately."""

    def __init__(self, name: Optional[str] = None) -> None:
        self.name = name
        self.inbound: list = []  # the nodes this block was called on

    def __call__(self, inputs: Any) -> Node:
        nodes = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        for node in nodes:
            if not isinstance(node, Node):
                raise TypeError(f"{self.name or type(self).__name__} must be called on the node "
                                "of an input or another block. Received: "
                                f"{type(node).__name__}")
        self.inbound.extend(nodes)
        return Node(self, tuple(nodes))

    def build(self, hp: Any, inputs: list) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.build(hp, inputs) is not implemented")


def connect(block: Block, nodes: tuple, values: list) -> list:
    """What ``block`` receives from its parent ``nodes`` (whose built values are ``values``):
    a block that normalizes for itself learns its input's statistics here, and a table's
    columns are encoded (one-hot categories) for blocks that do not take columns."""
    if getattr(block, "normalizes_input", False):
        parent = nodes[0] if len(nodes) == 1 else None
        if isinstance(parent, InputNode) and parent.mean is not None:
            block.stats = (parent.mean, parent.variance)
    if not getattr(block, "takes_columns", False):
        from keraslite.automl.structured_blocks import Columns, encode_columns

        values = [encode_columns(v, "one_hot") if isinstance(v, Columns) else v
                  for v in values]
    return values
