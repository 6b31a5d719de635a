"""Blocks for tables: CategoricalToNumerical (the encoding) and StructuredDataBlock.

=======================  =======================================================================
CategoricalToNumerical   ``encoding`` one_hot|int (one_hot): categorical columns become one-hot
                         vectors over the categories seen in fit (plus one out-of-vocabulary
                         slot), or their index scaled to [0, 1]; numerical columns are imputed
                         with the training mean and standardized, and columns that had missing
                         values in fit also get their 0/1 "missing" flag
StructuredDataBlock      ``normalize`` is always on (above); then a DenseBlock's space under
                         ``dense_block/``, whose ``num_layers`` may also be 0: the head alone, a
                         linear model on the encoded columns
=======================  =======================================================================
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite import layers, ops
from keraslite.automl.blocks import DenseBlock, _choice
from keraslite.automl.nodes import Block
from keraslite.automl.stored_statistics import normalized
from keraslite.automl.structured_data import Columns, input_name


def encode_columns(columns: Columns, encoding: str) -> Any:
    """The table's input tensors -> one float tensor (batch, features), inside the model."""
    node = columns.node
    numeric, parts, means, variances, flagged = [], [], [], [], []
    for column, kind in node.columns:
        tensor = columns[input_name(column)]
        if kind == "numerical":
            mean, variance, had_missing = node.stats[column]
            if had_missing:
                flagged.append(len(numeric))
            numeric.append(tensor)
            means.append(mean)
            variances.append(variance)
            continue
        vocabulary = node.stats[column]
        if encoding == "one_hot":
            parts.append(layers.IntegerLookup(vocabulary=vocabulary,
                                              output_mode="one_hot")(tensor))
        else:
            index = layers.IntegerLookup(vocabulary=vocabulary)(tensor)
            parts.append(ops.cast(index, "float32") / np.float32(len(vocabulary)))
    if numeric:
        # All numerical columns at once (a few ops, not a few per column: wide tables compile
        # fast): values at even positions, missing flags at odd ones, 0 where missing.
        pairs = numeric[0] if len(numeric) == 1 else layers.Concatenate()(numeric)
        values, missing = pairs[:, 0::2], pairs[:, 1::2]
        # A missing value (encoded 0) becomes the training mean, normalized: 0.
        values = normalized(values, np.array(means, np.float32),
                            np.array(variances, np.float32)) * (1.0 - missing)
        # Only columns that had missing values in fit keep their flag as a feature.
        flags = ([ops.take(missing, np.array(flagged, np.int32), axis=1)] if flagged else [])
        parts = [values] + flags + parts
    return parts[0] if len(parts) == 1 else layers.Concatenate()(parts)


class CategoricalToNumerical(Block):
    """Encodes a StructuredDataInput's columns as numbers inside the model (see above)."""

    takes_columns = True

    def __init__(self, encoding: Optional[str] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        if encoding not in (None, "one_hot", "int"):
            raise ValueError(f"encoding must be 'one_hot' or 'int'. Received: {encoding!r}")
        self.encoding = encoding

    def build(self, hp: Any, inputs: list) -> Any:
        if len(inputs) != 1 or not isinstance(inputs[0], Columns):
            raise ValueError(f"{self.name} must be called on a StructuredDataInput.")
        encoding = _choice(hp, "encoding", self.encoding, ["one_hot", "int"], "one_hot")
        return encode_columns(inputs[0], encoding)


class StructuredDataBlock(Block):
    """AutoKeras's structured-data block: CategoricalToNumerical, then a DenseBlock."""

    takes_columns = True

    def __init__(self, categorical_encoding: Optional[str] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        self.categorical_encoding = categorical_encoding

    def build(self, hp: Any, inputs: list) -> Any:
        with hp.name_scope("categorical_to_numerical"):
            x = CategoricalToNumerical(self.categorical_encoding,
                                       name="categorical_to_numerical").build(hp, inputs)
        with hp.name_scope("dense_block"):
            return TableDenseBlock(name="dense_block").build(hp, [x])


class TableDenseBlock(DenseBlock):
    """A DenseBlock that may have no hidden layer: on a small table, an L2-regularized linear
    model (the head's Dense) is often as good as any net and the least likely to overfit."""

    layer_counts = [0, 1, 2, 3]
