"""TableEncoder: the host-side step that turns a raw table into a structured-data model's inputs.

A compiled JAX or TensorFlow step cannot hold strings or NaN, so the exported model of a table
(a ``HostPreprocessedModel``) runs this on the host before the network: each numerical column
becomes (value, missing flag) and each categorical one a CRC-32 code (see structured_data.py).
Everything *learned* from the training table (means, variances, vocabularies) lives in the
network's weights; this step holds only data: the column names, their types and their order.
So its config is plain JSON, and loading it runs no code.
"""
from __future__ import annotations

from typing import Any, Optional

from keraslite.layers.layer import Layer
from keraslite.saving.serialization import register_serializable
from keraslite.automl.structured_data import (TYPES, check_columns, encode_columns_for_model,
                                              read_table)


@register_serializable("keraslite.automl")
class TableEncoder(Layer):
    """``encode(table)``: a DataFrame, CSV path or 2-D array -> ``{input name: array}``.

    ``columns`` is a list of ``(column, "numerical" | "categorical")`` in the order of fit;
    ``column_names`` names an array's columns (or picks a DataFrame's), as in
    ``StructuredDataInput``. Not meant to be called inside a model: it works on host data.
    """

    def __init__(self, columns: list, column_names: Optional[list] = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = _checked_columns(columns)
        if column_names is not None and (not isinstance(column_names, (list, tuple)) or
                                         not all(isinstance(c, str) for c in column_names)):
            raise ValueError("TableEncoder: column_names must be a list of strings or None. "
                             f"Received: {column_names!r}")
        self.column_names = None if column_names is None else list(column_names)
        self.built = True

    def encode(self, table: Any, what: str = "x") -> dict:
        columns = read_table(table, self.column_names, what, self.name)
        check_columns([c for c, _ in self.columns], columns, what, self.name)
        if len({len(v) for v in columns.values()}) > 1:
            raise ValueError(f"{what} of {self.name}: columns of different lengths.")
        return encode_columns_for_model(self.columns, columns, what, self.name)

    def call(self, inputs: Any) -> Any:
        raise TypeError(f"{self.name} runs on the host (strings and NaN cannot enter a compiled "
                        "step): use encode(table), or the HostPreprocessedModel that holds it.")

    def get_config(self) -> dict:
        return {"name": self.name, "columns": [list(pair) for pair in self.columns],
                "column_names": self.column_names}

    @classmethod
    def from_config(cls, config: dict) -> "TableEncoder":
        config = dict(config)
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)


def _checked_columns(columns: Any) -> list:
    """[(column, type), ...] from JSON lists or tuples, checked (the config of a file)."""
    if not isinstance(columns, (list, tuple)) or not columns:
        raise ValueError("TableEncoder: columns must be a non-empty list of [column, type] "
                         f"pairs. Received: {type(columns).__name__}")
    checked = []
    for pair in columns:
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or not isinstance(pair[0], str) or pair[1] not in TYPES):
            raise ValueError("TableEncoder: each column must be a pair [name, 'numerical' | "
                             f"'categorical']. Received: {pair!r}")
        checked.append((pair[0], pair[1]))
    return checked
