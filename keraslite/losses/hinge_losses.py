"""Hinge losses for -1/1 (or 0/1) labels: hinge, squared hinge, categorical hinge."""
from __future__ import annotations

from keraslite import ops
from keraslite.losses.loss import LossFunctionWrapper
from keraslite.losses.targets import prepare


def _to_signed_labels(y_true):
    """0/1 labels become -1/1; labels already in {-1, 1} (or anything else) stay as given."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(is_binary, ops.subtract(ops.multiply(2.0, y_true), 1.0), y_true)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = prepare(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.relu(ops.subtract(1.0, ops.multiply(y_true, y_pred))), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)**2) over the last axis; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = prepare(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.square(ops.relu(ops.subtract(1.0, ops.multiply(y_true, y_pred)))), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred)) for one-hot targets."""
    y_true, y_pred = prepare(y_true, y_pred)
    positive = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    negative = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.relu(ops.add(ops.subtract(negative, positive), 1.0))


class Hinge(LossFunctionWrapper):
    """Hinge loss for -1/1 (or 0/1) labels."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss for -1/1 (or 0/1) labels."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss for one-hot labels."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)
