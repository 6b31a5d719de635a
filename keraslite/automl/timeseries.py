"""Forecasting for keraslite.automl: TimeseriesInput and TimeseriesForecaster.

The forecaster takes the series itself (rows in time order) and cuts the windows inside.
Window ``i`` is rows ``i .. i + lookback - 1`` of ``x``; with ``t = i + lookback - 1`` its last
row, its targets are ``y[t + predict_from], ..., y[t + predict_until]`` (``horizon =
predict_until - predict_from + 1`` values). ``fit`` trains on every window whose targets all
exist; ``predict(x)`` returns one row of ``horizon`` forecasts for every complete window of
``x`` (``len(x) - lookback + 1`` rows), so its last row forecasts past the end of ``x``.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite.automl.auto_model import AutoModel
from keraslite.automl.heads import RegressionHead
from keraslite.automl.nodes import InputNode
from keraslite.automl.sequence_blocks import RNNBlock


class TimeseriesInput(InputNode):
    """Windows of a multivariate series: an array (samples, lookback, features). Each feature
    is normalized with its mean and variance over the training windows."""

    def __init__(self, lookback: Optional[int] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        self.lookback = lookback

    def prepare(self, x: Any, what: str = "x") -> np.ndarray:
        array = _numeric(x, what, self.name)
        if array.ndim != 3:
            raise ValueError(f"{what} of {self.name}: expected windows of shape (samples, "
                             f"lookback, features), received an array of shape {array.shape}.")
        if self.lookback is not None and array.shape[1] != self.lookback:
            raise ValueError(f"{what} of {self.name}: expected windows of {self.lookback} steps "
                             f"(lookback), received {array.shape[1]}.")
        self.check_shape(array, what)
        return array

    def adapt(self, x: np.ndarray) -> None:
        if not np.isfinite(x).all():
            raise ValueError(f"x of {self.name} has missing or infinite values: fill them "
                             "before fit.")
        super().adapt(x)


def _numeric(x: Any, what: str, name: str) -> np.ndarray:
    array = np.asarray(x)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{what} of {name}: expected numbers, received dtype {array.dtype}.")
    return array.astype(np.float32)


def _positive_int(argument: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"TimeseriesForecaster: {argument} must be an int >= {minimum}. "
                         f"Received: {value!r}")


class TimeseriesForecaster(AutoModel):
    """A series (rows in time order) -> forecasts of a target ``predict_from`` to
    ``predict_until`` steps ahead; searches an RNNBlock and a regression head.

    Example::

        t = np.arange(400, dtype="float32")
        series = np.sin(t / 8)[:, None]                     # (rows, features)
        model = keraslite.automl.TimeseriesForecaster(lookback=16, max_trials=2, seed=0)
        model.fit(series[:300], series[:300, 0], epochs=5)  # y: the target's values per row
        forecasts = model.predict(series[300:])             # (101 - 16 + 1, 1)
    """

    def __init__(self, output_dim: Optional[int] = None, column_names: Optional[list] = None,
                 column_types: Optional[dict] = None, lookback: Optional[int] = None,
                 predict_from: int = 1, predict_until: Optional[int] = None,
                 loss: Any = "mean_squared_error", metrics: Any = None,
                 project_name: str = "time_series_forecaster", objective: Any = None,
                 **kwargs: Any) -> None:
        if lookback is not None:
            _positive_int("lookback", lookback)
        _positive_int("predict_from", predict_from, minimum=0)
        predict_until = predict_from if predict_until is None else predict_until
        _positive_int("predict_until", predict_until, minimum=predict_from)
        horizon = predict_until - predict_from + 1
        if output_dim is not None and output_dim != horizon:
            raise ValueError(f"TimeseriesForecaster: output_dim={output_dim}, but predict_from="
                             f"{predict_from} and predict_until={predict_until} give {horizon} "
                             "forecasts per window.")
        if column_types is not None and any(kind != "numerical"
                                            for kind in dict(column_types).values()):
            raise ValueError("TimeseriesForecaster: only 'numerical' columns are supported. "
                             f"Received column_types={column_types!r}")
        self.column_names = None if column_names is None else [str(c) for c in column_names]
        self.lookback, self.predict_from, self.predict_until = lookback, predict_from, predict_until
        self._columns: Optional[list] = None
        inputs = self._series_input = TimeseriesInput(lookback=lookback)
        head = RegressionHead(output_dim=horizon, loss=loss, metrics=metrics)
        super().__init__(inputs, head(RNNBlock()(inputs)), project_name=project_name,
                         objective="val_loss" if objective is None else objective, **kwargs)

    # -- the series -> windows ------------------------------------------------------------------
    def _table(self, x: Any, what: str) -> tuple:
        """x as float32 (rows, features) and its column names (None for an unnamed array)."""
        if hasattr(x, "columns") and hasattr(x, "to_numpy"):  # a DataFrame
            names = [str(c) for c in x.columns]
            wanted = self.column_names or names
            missing = [c for c in wanted if c not in names]
            if missing:
                raise ValueError(f"{what}: expected the columns {wanted}; {missing} are "
                                 f"missing. Received columns {names}.")
            original = dict(zip(names, x.columns))
            columns = [np.asarray(x[original[c]]) for c in wanted]
            for column, values in zip(wanted, columns):
                if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
                    raise ValueError(f"{what}: column {column!r} must be numerical, received "
                                     f"dtype {values.dtype}.")
            return np.column_stack(columns).astype(np.float32), wanted
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
            raise ValueError(f"{what}: expected a series of shape (rows, features) or a "
                             f"DataFrame, received {type(x).__name__}.")
        table = _numeric(x, what, "TimeseriesForecaster")
        if table.ndim == 1:
            table = table[:, None]
        if table.ndim != 2:
            raise ValueError(f"{what}: expected a series of shape (rows, features), received "
                             f"an array of shape {table.shape}.")
        if self.column_names is not None and len(self.column_names) != table.shape[1]:
            raise ValueError(f"{what}: column_names has {len(self.column_names)} names, but x "
                             f"has {table.shape[1]} columns.")
        return table, self.column_names

    def _target(self, y: Any, table: np.ndarray, names: Optional[list]) -> np.ndarray:
        if isinstance(y, str):  # the name of a column of x
            if names is None or y not in names:
                raise ValueError(f"y={y!r} names no column of x (columns: {names}).")
            return table[:, names.index(y)]
        target = _numeric(y, "y", "TimeseriesForecaster")
        if target.ndim == 2 and target.shape[1] == 1:
            target = target[:, 0]
        if target.ndim != 1:
            raise ValueError("y: expected the target's value per row, shape (rows,), received "
                             f"an array of shape {target.shape}.")
        if len(target) != len(table):
            raise ValueError(f"x and y must have the same number of rows. Received {len(table)} "
                             f"rows in x and {len(target)} in y.")
        return target

    def _windows(self, table: np.ndarray, what: str) -> np.ndarray:
        if self.lookback is None:  # a quarter of the series, at most 30 steps
            self.lookback = self._series_input.lookback = max(1, min(30, len(table) // 4))
        if len(table) < self.lookback:
            raise ValueError(f"{what}: lookback={self.lookback} is longer than the series "
                             f"({len(table)} rows).")
        # (windows, features, lookback) -> (windows, lookback, features)
        windows = np.lib.stride_tricks.sliding_window_view(table, self.lookback, axis=0)
        return np.ascontiguousarray(windows.transpose(0, 2, 1))

    def _pairs(self, x: Any, y: Any, what: str) -> tuple:
        table, names = self._table(x, what)
        if self._columns is not None and names is not None and names != self._columns:
            raise ValueError(f"{what}: expected the columns {self._columns} (as in fit), "
                             f"received {names}.")
        target = self._target(y, table, names)
        windows = self._windows(table, what)
        count = len(table) - self.lookback + 1 - self.predict_until
        if count < 1:
            raise ValueError(f"{what}: a series of {len(table)} rows has no window of "
                             f"lookback={self.lookback} whose targets up to predict_until="
                             f"{self.predict_until} steps ahead exist; it needs at least "
                             f"{self.lookback + self.predict_until} rows.")
        last = self.lookback - 1
        steps = np.arange(self.predict_from, self.predict_until + 1)
        targets = target[last + np.arange(count)[:, None] + steps[None, :]]
        return windows[:count], targets, names

    # -- the AutoModel API on series ------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, epochs: int = 100,
            validation_split: float = 0.2, validation_data: Any = None,
            callbacks: Optional[list] = None, batch_size: int = 32, verbose: int = 0) -> Any:
        """Cuts ``x`` (rows in time order) into windows and searches. Without
        ``validation_data`` the last ``validation_split`` of the windows validate (in time
        order: the model never validates on the past it trained on)."""
        self._columns = None
        windows, targets, names = self._pairs(x, y, "x")
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val) of a series "
                                 f"and its target. Received: {type(validation_data).__name__}")
            val_windows, val_targets, _ = self._pairs(*validation_data, "validation x")
        else:
            if not 0.0 < validation_split < 1.0:
                raise ValueError("validation_split must be in (0, 1) when no validation_data "
                                 f"is given. Received: {validation_split!r}")
            count = max(1, int(round(len(windows) * validation_split)))
            if count >= len(windows):
                raise ValueError(f"x: {len(windows)} windows are too few to hold out "
                                 f"validation_split={validation_split}; give a longer series.")
            val_windows, val_targets = windows[-count:], targets[-count:]
            windows, targets = windows[:-count], targets[:-count]
        self._columns = names
        return super().fit(windows, targets, epochs=epochs, validation_data=(val_windows,
                                                                               val_targets),
                           callbacks=callbacks, batch_size=batch_size, verbose=verbose)

    def predict(self, x: Any, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """Forecasts (len(x) - lookback + 1, horizon): row i from the window ending at row
        ``i + lookback - 1`` of ``x``."""
        self._fitted()
        table, names = self._table(x, "x")
        if self._columns is not None and names is not None and names != self._columns:
            raise ValueError(f"x: expected the columns {self._columns} (as in fit), received "
                             f"{names}.")
        return super().predict(self._windows(table, "x"), batch_size=batch_size,
                               verbose=verbose)

    def evaluate(self, x: Any, y: Any, batch_size: int = 32, verbose: int = 0) -> Any:
        """Loss and metrics on every window of ``x`` whose targets exist in ``y``."""
        self._fitted()
        windows, targets, _ = self._pairs(x, y, "x")
        return super().evaluate(windows, targets, batch_size=batch_size, verbose=verbose)
