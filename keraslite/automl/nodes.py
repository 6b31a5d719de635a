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

    def adapt(self, x: np.ndarray) -> None:
        self.shape = tuple(int(d) for d in x.shape[1:])
        axes = tuple(range(x.ndim - 1))  # one mean per feature / channel
        self.mean = x.mean(axis=axes, dtype=np.float64).astype(np.float32)
        self.variance = x.var(axis=axes, dtype=np.float64).astype(np.float32)

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


class StructuredDataInput(InputNode):
    """Numerical table: an array (samples, features)."""

    def prepare(self, x: Any, what: str = "x") -> np.ndarray:
        array = _as_array(x, what, self.name)
        if array.ndim != 2:
            raise ValueError(f"{what} of {self.name}: expected a table of shape (samples, "
                             f"features), received an array of shape {array.shape}.")
        self.check_shape(array, what)
        return array

    def adapt(self, x: np.ndarray) -> None:
        if np.isnan(x).any():
            raise ValueError(f"x of {self.name} has missing values (NaN): fill them before "
                             "fit (missing-value handling for tables is not implemented yet).")
        super().adapt(x)


class Block:
    """A searchable piece of network. Subclasses define ``build(hp, inputs)``, where ``inputs``
    is a list of keraslite tensors, and return one tensor. Hyperparameters are named inside the
    block's name scope, so two blocks of one kind search separately."""

    def __init__(self, name: Optional[str] = None) -> None:
        self.name = name

    def __call__(self, inputs: Any) -> Node:
        nodes = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        for node in nodes:
            if not isinstance(node, Node):
                raise TypeError(f"{self.name or type(self).__name__} must be called on the node of an input or another "
                                f"block. Received: {type(node).__name__}")
        return Node(self, tuple(nodes))

    def build(self, hp: Any, inputs: list) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.build(hp, inputs) is not implemented")
