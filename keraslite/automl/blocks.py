"""Searchable blocks. Each documents its search space; an argument given a value fixes it.

=============  ===============================================================================
DenseBlock     ``num_layers`` 1|2|3 (2), ``num_units`` 16..1024 (32), ``use_batchnorm`` (False),
               ``dropout`` 0|0.25|0.5 (0), ``l2`` 0|1e-4|1e-3|1e-2 (0): an L2 penalty on the
               kernels
ConvBlock      ``kernel_size`` 3|5|7 (3), ``num_blocks`` 1|2|3 (2), ``num_layers`` 1|2 (2),
               ``filters`` 16..256 (32), ``max_pooling`` (True), ``dropout`` 0|0.25|0.5 (0)
=============  ===============================================================================

The defaults in brackets are the hand-picked first configuration the search tries.
"""
from __future__ import annotations

from typing import Any, Optional

from keraslite import layers
from keraslite.automl.heads import l2_regularizer
from keraslite.automl.nodes import Block

_UNITS = [16, 32, 64, 128, 256, 512, 1024]
_FILTERS = [16, 32, 64, 128, 256]
_DROPOUT = [0.0, 0.25, 0.5]


def _choice(hp: Any, name: str, fixed: Any, values: list, default: Any) -> Any:
    """A user's fixed value wins; otherwise the value is searched."""
    if fixed is not None:
        return fixed
    return hp.Choice(name, values, default=default)


def _boolean(hp: Any, name: str, fixed: Optional[bool], default: bool) -> bool:
    if fixed is not None:
        return bool(fixed)
    return hp.Boolean(name, default=default)


def _single(block: Block, inputs: list) -> Any:
    if len(inputs) != 1:
        raise ValueError(f"{block.name} takes one input, received {len(inputs)} (merging "
                         "several inputs is not implemented yet).")
    return inputs[0]


class DenseBlock(Block):
    """Fully connected layers (inputs of rank > 2 are flattened first)."""

    layer_counts = [1, 2, 3]  # the num_layers choices (tables add 0: a linear model)

    def __init__(self, num_layers: Optional[int] = None, num_units: Optional[int] = None,
                 use_batchnorm: Optional[bool] = None, dropout: Optional[float] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        self.num_layers, self.num_units = num_layers, num_units
        self.use_batchnorm, self.dropout = use_batchnorm, dropout

    def build(self, hp: Any, inputs: list) -> Any:
        x = _single(self, inputs)
        if len(x.shape) > 2:
            x = layers.Flatten()(x)
        batchnorm = _boolean(hp, "use_batchnorm", self.use_batchnorm, False)
        dropout = _choice(hp, "dropout", self.dropout, _DROPOUT, 0.0)
        count = _choice(hp, "num_layers", self.num_layers, self.layer_counts, 2)
        penalty = l2_regularizer(hp) if count else None  # nothing to penalize without layers
        for i in range(count):
            x = layers.Dense(_choice(hp, f"units_{i}", self.num_units, _UNITS, 32),
                             kernel_regularizer=penalty)(x)
            if batchnorm:
                x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
            if dropout > 0:
                x = layers.Dropout(dropout)(x)
        return x


class ConvBlock(Block):
    """Stacks of 2-D convolutions, each stack ending in max pooling ('same' padding, so small
    images such as 8x8 digits never shrink to nothing)."""

    def __init__(self, kernel_size: Optional[int] = None, num_blocks: Optional[int] = None,
                 num_layers: Optional[int] = None, filters: Optional[int] = None,
                 max_pooling: Optional[bool] = None, dropout: Optional[float] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        self.kernel_size, self.num_blocks, self.num_layers = kernel_size, num_blocks, num_layers
        self.filters, self.max_pooling, self.dropout = filters, max_pooling, dropout

    def build(self, hp: Any, inputs: list) -> Any:
        x = _single(self, inputs)
        if len(x.shape) != 4:
            raise ValueError(f"{self.name} takes images (batch, height, width, channels); "
                             f"received a tensor of shape {tuple(x.shape)}.")
        kernel = _choice(hp, "kernel_size", self.kernel_size, [3, 5, 7], 3)
        pooling = _boolean(hp, "max_pooling", self.max_pooling, True)
        dropout = _choice(hp, "dropout", self.dropout, _DROPOUT, 0.0)
        per_block = _choice(hp, "num_layers", self.num_layers, [1, 2], 2)
        for i in range(_choice(hp, "num_blocks", self.num_blocks, [1, 2, 3], 2)):
            filters = _choice(hp, f"filters_{i}", self.filters, _FILTERS, 32)
            for _ in range(per_block):
                x = layers.Conv2D(filters, kernel, padding="same", activation="relu")(x)
            if pooling:
                x = layers.MaxPooling2D(2, padding="same")(x)
            if dropout > 0:
                x = layers.Dropout(dropout)(x)
        return x
