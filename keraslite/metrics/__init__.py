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
from keraslite.metrics.correlation_metrics import (
    ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation,
)
from keraslite.metrics.iou_metrics import IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU
from keraslite.metrics.threshold_metrics import (
    FalseNegatives, FalsePositives, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, TrueNegatives, TruePositives,
)
from keraslite.losses import (
    binary_focal_crossentropy, categorical_focal_crossentropy, categorical_hinge, hinge, huber,
    log_cosh, poisson, squared_hinge,
)
from keraslite.metrics.regression_metrics import (
    CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Poisson, R2Score,
    RootMeanSquaredError, SquaredHinge,
)
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from keraslite.utils.naming import to_snake_case
from keraslite.utils.registry import ObjectRegistry
from keraslite.metrics.resolve import is_binary_or_sparse_categorical, resolve_accuracy

_CLASSES = (Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            AUC, Precision, Recall, F1Score, FBetaScore, MeanIoU, R2Score, RootMeanSquaredError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError, Poisson,
            KLDivergence, Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, PrecisionAtRecall,
            RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, IoU, BinaryIoU,
            OneHotIoU, OneHotMeanIoU, PearsonCorrelation, ConcordanceCorrelation)
_FUNCTIONS = {
    fn.__name__: fn for fn in (
        accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy,
        sparse_categorical_crossentropy, kl_divergence, top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy, pearson_correlation, concordance_correlation,
        binary_focal_crossentropy, categorical_focal_crossentropy, categorical_hinge, hinge, huber,
        log_cosh, poisson, squared_hinge)
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


_REGISTRY = ObjectRegistry(
    "metric", "keraslite.metrics", ALL_OBJECTS, Metric, functions=_FUNCTIONS,
    refused_by_name={MeanMetricWrapper: None}, lowercase_listing=True,
    listing_suffix=" (and 'accuracy'/'acc'/'crossentropy'/'ce' in compile)",
    interpret_hint=". Pass a name, a config dict, a Metric or a callable "
                   "(y_true, y_pred) -> values.",
    serialize_error=lambda obj: ValueError(
        f"Cannot serialize metric {obj!r}: it is neither a Metric nor a built-in metric function."),
)


def serialize(metric):
    """``metric`` as a JSON-ready config (Keras's parameter name)."""
    return _REGISTRY.serialize(metric)


deserialize = _REGISTRY.deserialize
# Like Keras 3, names ("auc", "mse", "Precision", "binary_accuracy") give a default instance of
# the metric class. The compile strings "accuracy"/"acc"/"crossentropy"/"ce" depend on the loss
# and shapes: the trainer resolves them with ``resolve_accuracy``.
get = _REGISTRY.get


__all__ = ["Metric", "MeanMetricWrapper", "get", "serialize", "deserialize", "resolve_accuracy",
           "is_binary_or_sparse_categorical", *(c.__name__ for c in _CLASSES), *_FUNCTIONS]
__all__ = list(dict.fromkeys(__all__))
