"""Tables for keraslite.automl: DataFrames, CSV files and arrays with mixed column types.

The exported model takes **one named input per column** (as Keras's FeatureSpace does), so all
that was learned from the training table (means, variances, category vocabularies) lives in
the model and survives ``save``/``load_model``. What stays outside is a stateless conversion,
``table_to_inputs``, needed because a compiled graph on JAX cannot hold strings or NaN:

* a numerical column ``c`` enters as ``c``: float32 of shape ``(samples, 2)``, the value (0
  where missing) and a 1/0 "missing" flag; the model imputes the training mean;
* a categorical column enters as int32 of shape ``(samples, 1)``: a stable 31-bit code of the
  value's text (CRC-32), or ``MISSING_CODE`` where missing. The model's IntegerLookup knows the
  codes seen in fit; a missing value seen in fit is a category of its own, and a value never
  seen (or missing only at predict time) goes to the out-of-vocabulary index.
"""
from __future__ import annotations

import os
import re
import zlib
from typing import Any, Optional

import numpy as np

from keraslite.automl.nodes import InputNode

MISSING_CODE = -2  # IntegerLookup's out-of-vocabulary token is -1; codes of values are >= 0
MAX_CSV_BYTES = 2 * 1024**3  # a table the search can hold in memory; larger is refused
TYPES = ("numerical", "categorical")


def category_code(value: Any) -> int:
    """The int32 code a categorical value enters the exported model as."""
    if _missing(value):
        return MISSING_CODE
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    return zlib.crc32(text.encode("utf-8")) & 0x7FFFFFFF


def _missing(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):  # pandas' markers
        return True
    try:
        return bool(value != value)  # NaN, pandas.NA and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def input_name(column: str) -> str:
    """A layer name for a column: characters other than letters, digits, ``_.-`` become ``_``."""
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(column))
    return name if name and name[0].isalpha() else f"c_{name}"


def _read_csv(path: str) -> Any:
    import pandas as pd  # optional: only tables given as CSV or DataFrame need it

    from keraslite.saving.file_guard import open_bounded

    # The path is checked to be a regular file of bounded size, and pandas reads what was
    # checked (the open descriptor), not whatever the path names a moment later.
    with open_bounded(path, "CSV file", MAX_CSV_BYTES) as reader:
        return pd.read_csv(reader)


def read_table(x: Any, column_names: Optional[list], what: str, name: str) -> dict:
    """``x`` (DataFrame, CSV path, 2-D array) -> ordered ``{column: 1-D object/number array}``."""
    if isinstance(x, (str, os.PathLike)):
        x = _read_csv(os.fspath(x))
    if hasattr(x, "columns") and hasattr(x, "iloc"):  # a pandas DataFrame
        columns = [str(c) for c in x.columns]
        if len(set(columns)) != len(columns):
            raise ValueError(f"{what} of {name}: column names must be unique. Received "
                             f"{columns}.")
        table = {str(c): x[c].to_numpy() for c in x.columns}
        if column_names is not None:
            absent = [c for c in column_names if c not in table]
            if absent:
                raise ValueError(f"{what} of {name}: column_names {absent} are not columns of "
                                 f"the DataFrame (its columns: {columns}).")
            table = {c: table[c] for c in column_names}
        return table
    if isinstance(x, bytes) or not hasattr(x, "__len__"):
        raise TypeError(f"{what} of {name} must be a pandas DataFrame, a CSV path or a 2-D "
                        f"array. Received: {type(x).__name__}")
    array = np.asarray(x)
    if array.ndim != 2:
        raise ValueError(f"{what} of {name}: expected a table of shape (samples, columns), "
                         f"received an array of shape {array.shape}.")
    if column_names is None:
        column_names = [str(i) for i in range(array.shape[1])]
    elif len(column_names) != array.shape[1]:
        raise ValueError(f"{what} of {name}: column_names names {len(column_names)} columns, "
                         f"but the array has {array.shape[1]}.")
    return {str(c): array[:, i] for i, c in enumerate(column_names)}


def _as_numbers(values: np.ndarray) -> Optional[np.ndarray]:
    """float64 values with NaN where missing, or None when some value is not a number."""
    if values.dtype == bool:
        return None  # True/False are categories
    if np.issubdtype(values.dtype, np.number):
        return values.astype(np.float64)
    out = np.empty(len(values), np.float64)
    for i, value in enumerate(values):
        if _missing(value) or (isinstance(value, str) and not value.strip()):
            out[i] = np.nan
            continue
        if isinstance(value, bool):
            return None
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            return None
    return out


def infer_type(values: np.ndarray) -> str:
    """'numerical' when every present value reads as a number, else 'categorical'."""
    return "numerical" if _as_numbers(values) is not None else "categorical"


class StructuredDataInput(InputNode):
    """A table: a pandas DataFrame, a CSV path, or a 2-D array, with numerical and categorical
    columns. ``column_names`` names an array's columns (or picks a DataFrame's); ``column_types``
    (``{column: "numerical" | "categorical"}``) overrides the inferred type of some columns.
    """

    def __init__(self, column_names: Optional[list] = None,
                 column_types: Optional[dict] = None, max_categories: int = 1000,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        if column_names is not None:
            if isinstance(column_names, str) or not all(isinstance(c, str)
                                                        for c in column_names):
                raise TypeError(f"column_names must be a list of strings. Received: "
                                f"{column_names!r}")
            column_names = list(column_names)
        if column_types is not None:
            if not isinstance(column_types, dict):
                raise TypeError(f"column_types must be a dict {{column: 'numerical' | "
                                f"'categorical'}}. Received: {type(column_types).__name__}")
            bad = {c: t for c, t in column_types.items() if t not in TYPES}
            if bad:
                raise ValueError(f"column_types values must be 'numerical' or 'categorical'. "
                                 f"Received: {bad}")
        self.column_names = column_names
        self.column_types = dict(column_types or {})
        self.max_categories = max_categories
        self.columns: Optional[list] = None  # (column, type) in order, fixed by the first fit
        self.stats: dict = {}  # column -> (mean, variance, had_missing) or vocabulary codes

    def forget(self) -> None:
        super().forget()
        self.columns, self.stats = None, {}

    def prepare(self, x: Any, what: str = "x") -> dict:
        """The table as the model's inputs: ``{input_name: array}`` (see the module doc)."""
        table = read_table(x, self.column_names, what, self.name)
        if not table:
            raise ValueError(f"{what} of {self.name}: the table has no columns.")
        lengths = {len(v) for v in table.values()}
        if self.columns is None:
            unknown = sorted(set(self.column_types) - set(table))
            if unknown:
                raise ValueError(f"column_types names {unknown}, which are not columns of "
                                 f"{what} (its columns: {list(table)}).")
            self.columns = [(c, self.column_types.get(c) or infer_type(v))
                            for c, v in table.items()]
            names = [input_name(c) for c, _ in self.columns]
            if len(set(names)) != len(names):
                raise ValueError(f"{what} of {self.name}: column names {list(table)} give "
                                 f"repeated input names {names}; rename the columns.")
        else:
            check_columns([c for c, _ in self.columns], table, what, self.name)
        if len(lengths) != 1:
            raise ValueError(f"{what} of {self.name}: columns of different lengths.")
        return self.encode(table, what)

    def encode(self, table: dict, what: str = "x") -> dict:
        """``{column: values}`` -> ``{input_name: array}`` for the columns fixed in fit."""
        return encode_columns_for_model(self.columns, table, what, self.name)

    def adapt(self, x: dict) -> None:
        self.shape = ("table",)
        for column, kind in self.columns:
            values = x[input_name(column)]
            if kind == "numerical":
                present = values[values[:, 1] == 0, 0].astype(np.float64)
                mean = float(present.mean()) if len(present) else 0.0
                variance = float(present.var()) if len(present) else 1.0
                self.stats[column] = (mean, variance, bool((values[:, 1] > 0).any()))
            else:
                codes, counts = np.unique(values[:, 0], return_counts=True)
                order = np.lexsort((codes, -counts))[:self.max_categories]  # most frequent
                self.stats[column] = sorted(int(c) for c in codes[order])

    def build_inputs(self, graph: Any) -> tuple:
        """(the model's input tensors by name, the value blocks receive: the same dict)."""
        from keraslite import layers

        inputs = {}
        for column, kind in self.columns:
            name = input_name(column)
            if kind == "numerical":
                inputs[name] = layers.Input(shape=(2,), name=name)
            else:
                inputs[name] = layers.Input(shape=(1,), dtype="int32", name=name)
        return inputs, Columns(inputs, self)


def check_columns(expected: list, table: dict, what: str, name: str) -> None:
    """A ValueError naming the missing and unexpected columns when ``table``'s differ."""
    missing = [c for c in expected if c not in table]
    extra = [c for c in table if c not in expected]
    if missing or extra:
        raise ValueError(f"{what} of {name}: expected the columns of fit {expected}; missing "
                         f"{missing}, unexpected {extra}.")


def encode_columns_for_model(columns: list, table: dict, what: str, name: str) -> dict:
    """``{column: values}`` -> ``{input_name: array}`` (see the module doc) for ``columns``,
    a list of (column, "numerical" | "categorical")."""
    inputs = {}
    for column, kind in columns:
        values = np.asarray(table[column])
        if kind == "numerical":
            numbers = _as_numbers(values)
            if numbers is None:
                raise ValueError(f"{what} of {name}: column '{column}' is numerical "
                                 f"(as in fit) but holds non-numeric values, e.g. "
                                 f"{_first_non_number(values)!r}.")
            absent = np.isnan(numbers)
            if np.isinf(numbers).any():
                raise ValueError(f"{what} of {name}: column '{column}' holds infinite values.")
            inputs[input_name(column)] = np.stack(
                [np.where(absent, 0.0, numbers), absent], axis=1).astype(np.float32)
        else:
            codes = np.fromiter((category_code(v) for v in values), np.int64, len(values))
            inputs[input_name(column)] = codes.astype(np.int32)[:, None]
    return inputs


class Columns(dict):
    """What blocks called on a StructuredDataInput receive: its input tensors by name, and the
    node (column types and training statistics) that CategoricalToNumerical encodes with."""

    def __init__(self, tensors: dict, node: StructuredDataInput) -> None:
        super().__init__(tensors)
        self.node = node


def _first_non_number(values: np.ndarray) -> Any:
    for value in values:
        if _as_numbers(np.array([value], dtype=object)) is None:
            return value
    return None


def table_to_inputs(table: Any, model: Any, column_names: Optional[list] = None) -> dict:
    """A table (DataFrame, CSV path, array) as the network inputs of a structured-data model.

    The exported model does this itself (its ``TableEncoder``), so ``model.predict(frame)``
    needs no call to this; it helps to feed the bare network (``model.network``) or a plain
    model with one input per column. Stateless: the columns come from the model's TableEncoder,
    or else from its inputs (float32 = numerical, int32 = categorical).
    """
    encoders = [step for step in getattr(model, "preprocessors", {}).values()
                if hasattr(step, "encode") and hasattr(step, "columns")]
    if len(encoders) == 1 and column_names is None:
        return encoders[0].encode(table, "table")
    if len(encoders) > 1:
        raise ValueError("table_to_inputs: the model takes several tables; pass a dict by input "
                         f"name to model.predict instead. Its inputs: {model.input_names}.")
    node = StructuredDataInput(column_names=column_names, name="table")
    table_columns = read_table(table, column_names, "table", "the exported model")
    by_input = {input_name(c): c for c in table_columns}
    columns = []
    for tensor in model.inputs:
        name = getattr(tensor, "name", None) or ""
        name = name.split(":")[0]
        if name not in by_input:
            raise ValueError(f"The table has no column for the model's input '{name}' "
                             f"(its columns: {list(table_columns)}).")
        kind = "categorical" if "int" in str(tensor.dtype) else "numerical"
        columns.append((by_input[name], kind))
    node.columns = columns
    return node.encode(table_columns, "table")
