"""Heads: the last layer, the loss and the metrics, inferred from the targets.

ClassificationHead reads the labels it is fitted on:

* integers or strings, shape (n,) or (n, 1): two classes -> one sigmoid unit and binary
  cross-entropy; more -> a softmax and sparse categorical cross-entropy (labels are encoded
  as indices of the sorted classes, and ``decode`` gives back the original labels);
* one-hot rows (n, k) of 0/1 summing to 1 -> softmax and categorical cross-entropy;
* ``multi_label=True`` with 0/1 rows -> k sigmoid units and binary cross-entropy.

RegressionHead takes numbers of shape (n,) or (n, k): k linear units and mean squared error.
Anything else is a ValueError naming what was expected, before any trial starts.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite import layers, regularizers
from keraslite import metrics as metrics_lib
from keraslite.automl.nodes import Block

_DROPOUT = [0.0, 0.25, 0.5]
L2 = [0.0, 1e-4, 1e-3, 1e-2]  # weight of an L2 penalty on kernels; 0 (none) is the default


# The metric that logs each head loss, under the name "data_loss".
DATA_LOSS = {"binary_crossentropy": metrics_lib.BinaryCrossentropy,
             "categorical_crossentropy": metrics_lib.CategoricalCrossentropy,
             "sparse_categorical_crossentropy": metrics_lib.SparseCategoricalCrossentropy,
             "mean_squared_error": metrics_lib.MeanSquaredError}


def l2_regularizer(hp: Any, fixed: Optional[float] = None) -> Any:
    """The searched ``l2`` penalty for Dense kernels (None when 0). With no hidden layer, the
    head alone is an L2-regularized linear model, a strong start on small tables."""
    value = fixed if fixed is not None else hp.Choice("l2", L2, default=0.0)
    return regularizers.L2(value) if value > 0 else None


class Head(Block):
    """A block that ends the network; ``adapt(y)`` learns the target format."""

    metric_name = ""  # the metric the default objective watches (after "val_")

    def __init__(self, loss: Any = None, metrics: Any = None, dropout: Optional[float] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        self.loss, self.metrics, self.dropout = loss, metrics, dropout
        self.units: Optional[int] = None
        self.activation: Optional[str] = None

    def _hidden(self, hp: Any, inputs: list) -> Any:
        if len(inputs) != 1:
            raise ValueError(f"{self.name} takes one input, received {len(inputs)}.")
        x = inputs[0]
        if len(x.shape) > 2:
            x = layers.Flatten()(x)
        dropout = self.dropout if self.dropout is not None else hp.Choice(
            "dropout", _DROPOUT, default=0.0)
        return layers.Dropout(dropout)(x) if dropout > 0 else x

    def build(self, hp: Any, inputs: list) -> Any:
        if self.units is None:
            raise ValueError(f"{self.name} has not seen its targets: call fit first.")
        hidden = self._hidden(hp, inputs)
        return layers.Dense(self.units, activation=self.activation,
                            kernel_regularizer=l2_regularizer(hp))(hidden)

    @property
    def logs_data_loss(self) -> bool:
        """Whether the compiled model logs ``data_loss``: the head's own loss without the L2
        penalties, which ``loss`` includes. Trials with different penalties are compared on
        it; on ``val_loss`` a penalized model would look worse than it predicts."""
        return self.loss is None

    def compile_args(self) -> tuple:
        """(loss, metrics) for ``model.compile``."""
        metrics = list(self.metrics or [self.metric_name])
        if self.logs_data_loss:
            metrics.append(DATA_LOSS[self._loss](name="data_loss"))
        return self.loss or self._loss, metrics


def _column(y: np.ndarray, name: str) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y of {name}: expected labels of shape (samples,) or one-hot rows "
                         f"(samples, classes), received an array of shape {y.shape}.")
    return y


class ClassificationHead(Head):
    """Classification; the output activation and loss follow from the labels (see above)."""

    metric_name = "accuracy"

    def __init__(self, num_classes: Optional[int] = None, multi_label: bool = False,
                 loss: Any = None, metrics: Any = None, dropout: Optional[float] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(loss, metrics, dropout, name)
        self.num_classes, self.multi_label = num_classes, multi_label
        self.classes: Optional[np.ndarray] = None
        self.mode: Optional[str] = None  # "binary", "sparse", "one_hot", "multi_label"

    def adapt(self, y: Any) -> None:
        y = np.asarray(y)
        name = self.name
        if y.ndim == 2 and y.shape[1] > 1:
            if not np.issubdtype(y.dtype, np.number) or not np.isin(y, (0, 1)).all():
                raise ValueError(f"y of {name}: rows of shape (samples, {y.shape[1]}) must be "
                                 "one-hot or multi-label 0/1 values; received other values.")
            if self.multi_label:
                self.mode, self.units, self.activation = "multi_label", y.shape[1], "sigmoid"
                self._loss = "binary_crossentropy"
            elif not (y.sum(axis=1) == 1).all():
                raise ValueError(f"y of {name}: rows with several 1s are multi-label targets: "
                                 "pass multi_label=True. Received rows that are not one-hot.")
            else:
                self.mode, self.units, self.activation = "one_hot", y.shape[1], "softmax"
                self._loss = "categorical_crossentropy"
            self._check_count(y.shape[1])
            return
        y = _column(y, name)
        if np.issubdtype(y.dtype, np.floating):
            if np.isnan(y).any() or not np.equal(np.round(y), y).all():
                raise ValueError(f"y of {name}: expected class labels (integers or strings), "
                                 "received non-integer floats; use a RegressionHead (or "
                                 "StructuredDataRegressor) for continuous targets.")
        elif not (np.issubdtype(y.dtype, np.integer) or y.dtype.kind in "USbO"):
            raise ValueError(f"y of {name}: expected integer or string labels, received dtype "
                             f"{y.dtype}.")
        try:
            self.classes = np.unique(y)
        except TypeError:
            raise ValueError(f"y of {name}: labels of mixed types cannot be sorted; use all "
                             "integers or all strings.") from None
        count = len(self.classes)
        if count < 2:
            raise ValueError(f"y of {name}: expected at least two classes, received only "
                             f"{self.classes.tolist()}.")
        self._check_count(count)
        if count == 2:
            self.mode, self.units, self.activation = "binary", 1, "sigmoid"
            self._loss = "binary_crossentropy"
        else:
            self.mode, self.units, self.activation = "sparse", count, "softmax"
            self._loss = "sparse_categorical_crossentropy"

    @property
    def stratifies(self) -> bool:
        """Whether fit's validation split keeps the class proportions (single-label only)."""
        return self.mode in ("binary", "sparse", "one_hot")

    def _check_count(self, count: int) -> None:
        if self.num_classes is not None and self.num_classes != count:
            raise ValueError(f"{self.name}: num_classes={self.num_classes}, but the targets "
                             f"have {count} classes.")

    def encode(self, y: Any) -> np.ndarray:
        """Targets in the form the loss takes (class indices, or the 0/1 rows as float32)."""
        y = np.asarray(y)
        if self.mode in ("one_hot", "multi_label"):
            if y.ndim != 2 or y.shape[1] != self.units:
                raise ValueError(f"y of {self.name}: expected rows of shape (samples, "
                                 f"{self.units}) as in fit, received {y.shape}.")
            return y.astype(np.float32)
        y = _column(y, self.name)
        index = np.searchsorted(self.classes, y)
        index = np.clip(index, 0, len(self.classes) - 1)
        unknown = self.classes[index] != y
        if unknown.any():
            raise ValueError(f"y of {self.name}: labels {np.unique(y[unknown])[:5].tolist()} "
                             f"were not among the classes seen in fit "
                             f"{self.classes.tolist()[:10]}.")
        if self.mode == "binary":  # (samples, 1), the shape of the sigmoid's output, which
            return index.astype(np.float32)[:, None]  # metrics (data_loss) do not broadcast
        return index.astype(np.int32)

    def decode(self, output: np.ndarray) -> np.ndarray:
        """Model outputs back to labels in the format of the fitted targets."""
        if self.mode == "binary":
            return self.classes[(output[:, 0] > 0.5).astype(int)].reshape(-1, 1)
        if self.mode == "sparse":
            return self.classes[np.argmax(output, axis=-1)].reshape(-1, 1)
        if self.mode == "one_hot":
            return np.eye(self.units, dtype=np.float32)[np.argmax(output, axis=-1)]
        return (output > 0.5).astype(np.float32)


class RegressionHead(Head):
    """Regression: linear units, one per target column; loss mean squared error."""

    metric_name = "mean_squared_error"
    _loss = "mean_squared_error"

    def __init__(self, output_dim: Optional[int] = None, loss: Any = None, metrics: Any = None,
                 dropout: Optional[float] = None, name: Optional[str] = None) -> None:
        super().__init__(loss, metrics, dropout, name)
        self.output_dim = output_dim

    def adapt(self, y: Any) -> None:
        y = self.encode(y, check_units=False)
        units = y.shape[1]
        if self.output_dim is not None and self.output_dim != units:
            raise ValueError(f"{self.name}: output_dim={self.output_dim}, but the targets have "
                             f"{units} columns.")
        self.units = units

    def encode(self, y: Any, check_units: bool = True) -> np.ndarray:
        y = np.asarray(y)
        if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
            raise ValueError(f"y of {self.name}: expected numeric regression targets, received "
                             f"dtype {y.dtype} (strings are classification labels: use a "
                             "ClassificationHead or a Classifier).")
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2:
            raise ValueError(f"y of {self.name}: expected shape (samples,) or (samples, "
                             f"targets), received {y.shape}.")
        if not np.isfinite(y).all():
            raise ValueError(f"y of {self.name}: targets contain NaN or infinity.")
        if check_units and y.shape[1] != self.units:
            raise ValueError(f"y of {self.name}: expected {self.units} target columns as in "
                             f"fit, received {y.shape[1]}.")
        return y.astype(np.float32)

    def decode(self, output: np.ndarray) -> np.ndarray:
        return np.asarray(output)
