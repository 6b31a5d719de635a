"""Metrics: stateful running values (Mean, Sum, accuracies, errors), ``get`` and
``resolve_accuracy`` for compile's "accuracy" strings.

Example::

    m = keraslite.metrics.SparseCategoricalAccuracy()
    m.update_state([1, 2], [[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
    float(m.result())  # 0.5
"""
from __future__ import annotations

from keraslite.losses.probabilistic import (
    binary_crossentropy, categorical_crossentropy, kl_divergence, sparse_categorical_crossentropy,
)
from keraslite.losses.regression import (
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error,
)
from keraslite.metrics.accuracy_metrics import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, accuracy,
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
)
from keraslite.metrics.loss_metrics import (
    BinaryCrossentropy, CategoricalCrossentropy, MeanAbsoluteError, MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from keraslite.metrics.confusion_metrics import (
    AUC, F1Score, FBetaScore, MeanIoU, Precision, Recall, SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy, sparse_top_k_categorical_accuracy, top_k_categorical_accuracy,
)
from keraslite.metrics.metric import Metric
from keraslite.metrics.regression_metrics import (
    CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Poisson, R2Score, RootMeanSquaredError, SquaredHinge,
)
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from keraslite.utils.naming import to_snake_case
from keraslite.metrics.resolve import is_binary_or_sparse_categorical, resolve_accuracy

_CLASSES = (Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, AUC,
            Precision, Recall, F1Score, FBetaScore, MeanIoU, R2Score, RootMeanSquaredError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError, Poisson,
            KLDivergence, Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity)
_FUNCTIONS = {
    fn.__name__: fn for fn in (
        accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy,
        sparse_categorical_crossentropy, kl_divergence, top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy)
}
# Like Keras 3, strings name classes: "ClassName", its snake_case form ("auc", "precision",
# "root_mean_squared_error", "mean_squared_error", ...) and the short aliases below.
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
                    "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})
ALL_OBJECTS["MeanMetricWrapper"] = MeanMetricWrapper


def serialize(metric):
    if isinstance(metric, Metric):
        return {"module": "keraslite.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    for name, fn in _FUNCTIONS.items():
        if fn is metric:
            return name
    raise ValueError(f"Cannot serialize metric {metric!r}: it is neither a Metric nor a built-in metric function.")


def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        raise ValueError(_unknown(name))
    if not isinstance(cls, type):
        return cls
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A metric from a name (function or class name), a config dict, a Metric or a callable.

    Like Keras 3, names ("auc", "mse", "Precision", "binary_accuracy") give a default
    instance of the metric class. The compile strings "accuracy"/"acc"/"crossentropy"/"ce" depend on the loss and
    shapes: the trainer resolves them with ``resolve_accuracy``.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = ALL_OBJECTS.get(identifier)
        if obj is None or obj is MeanMetricWrapper:
            raise ValueError(_unknown(identifier))
        return obj() if isinstance(obj, type) else obj
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Pass a name, a config dict, a "
        "Metric or a callable (y_true, y_pred) -> values."
    )


def _unknown(name) -> str:
    valid = sorted(k for k in ALL_OBJECTS if k != "MeanMetricWrapper" and k == k.lower())
    return (f"Unknown metric: {name!r}. Valid names: {', '.join(valid)} "
            "(and 'accuracy'/'acc'/'crossentropy'/'ce' in compile).")


__all__ = ["Metric", "MeanMetricWrapper", "get", "serialize", "deserialize", "resolve_accuracy",
           "is_binary_or_sparse_categorical", *(c.__name__ for c in _CLASSES), *_FUNCTIONS]
__all__ = list(dict.fromkeys(__all__))
