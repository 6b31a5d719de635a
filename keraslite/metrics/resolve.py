"""Turns the strings "accuracy"/"acc" and "crossentropy"/"ce" into the right metric for the
model's loss and output shapes."""
from __future__ import annotations


def is_binary_or_sparse_categorical(y_true_shape, y_pred_shape):
    """(is_binary, is_sparse_categorical) from the target and prediction shapes, as Keras does."""
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    true_last = y_true_shape[-1] if y_true_shape else None
    pred_last = y_pred_shape[-1] if y_pred_shape else None
    is_binary = pred_last == 1
    is_sparse = len(y_true_shape) < len(y_pred_shape) or (
        true_last == 1 and pred_last is not None and pred_last > 1
    )
    return is_binary, is_sparse


def resolve_accuracy(name, loss, y_true_shape, y_pred_shape):
    """The metric for a string in ``compile(metrics=[...])``.

    Like Keras 3, the choice depends on the shapes only (``loss`` is accepted for API symmetry):
    "accuracy"/"acc" become BinaryAccuracy when the output's last dim is 1,
    SparseCategoricalAccuracy when the targets look like class indices (lower rank than the
    output, or a last dim of 1 against several classes), else CategoricalAccuracy; a multi-label
    output trained with binary cross-entropy therefore gets CategoricalAccuracy, as in Keras.
    "crossentropy"/"ce" pick the cross-entropy metric the same way. Any other name goes through
    ``metrics.get``. The metric keeps the name the user wrote.
    """
    from keraslite import metrics

    key = str(name).lower()
    if key not in ("accuracy", "acc", "crossentropy", "ce"):
        metric = metrics.get(name)
        if not isinstance(metric, metrics.Metric):
            metric = metrics.MeanMetricWrapper(metric, name=name if isinstance(name, str) else None)
        elif isinstance(name, str):
            metric.name = name  # Keras logs a metric under the string the user wrote
            for variable in metric.variables:
                variable.path = f"{name}/{variable.name}"
        if hasattr(metric, "build") and not getattr(metric, "built", True):
            metric.build(y_true_shape, y_pred_shape)
        return metric
    is_binary, is_sparse = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
    if is_binary:
        cls = metrics.BinaryAccuracy if key in ("accuracy", "acc") else metrics.BinaryCrossentropy
    elif is_sparse:
        cls = (metrics.SparseCategoricalAccuracy if key in ("accuracy", "acc")
               else metrics.SparseCategoricalCrossentropy)
    else:
        cls = metrics.CategoricalAccuracy if key in ("accuracy", "acc") else metrics.CategoricalCrossentropy
    return cls(name=name)
