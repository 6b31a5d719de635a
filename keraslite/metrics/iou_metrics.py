"""Intersection-over-union for chosen classes: IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU.

A running (num_classes x num_classes) confusion matrix, built with a one-hot matmul so it traces
in a compiled step. Labels outside [0, num_classes) and ``ignore_class`` contribute nothing. The
matrix is kept in float (Keras keeps it in int and so truncates float sample weights).
"""
from __future__ import annotations

from typing import Optional, Sequence

from keraslite import config, ops
from keraslite.metrics.metric import Metric


class IoU(Metric):
    """Mean of tp / (tp + fp + fn) over ``target_class_ids`` (classes never seen in y_true or
    y_pred are left out of the mean).

    Example::

        m = IoU(num_classes=2, target_class_ids=[0])
        m.update_state([0, 0, 1, 1], [0, 1, 0, 1]); float(m.result())  # 1/3
    """

    def __init__(self, num_classes: int, target_class_ids: Sequence[int],
                 name: Optional[str] = None, dtype=None, ignore_class: Optional[int] = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1):
        cls = type(self).__name__
        super().__init__(name=name or "io_u", dtype=dtype)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"{cls}: `num_classes` must be a positive int. "
                             f"Received: num_classes={num_classes!r}")
        ids = list(target_class_ids) if target_class_ids is not None else []
        if not ids or any(not isinstance(i, int) or not 0 <= i < num_classes for i in ids):
            raise ValueError(f"{cls}: `target_class_ids` must be a non-empty list of ints in "
                             f"[0, {num_classes}). Received: target_class_ids={target_class_ids!r}")
        self.num_classes, self.target_class_ids = num_classes, ids
        self.ignore_class, self.axis = ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        labels_shape = ops.shape(y_true)
        y_true = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        y_pred = ops.reshape(ops.cast(y_pred, "int32"), (-1,))
        keep = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0), ops.less(y_true, self.num_classes)),
            ops.logical_and(ops.greater_equal(y_pred, 0), ops.less(y_pred, self.num_classes)))
        if self.ignore_class is not None:
            keep = ops.logical_and(keep, ops.not_equal(y_true, self.ignore_class))
        weight = ops.cast(keep, self.dtype)
        if sample_weight is not None:
            sw = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            if len(sw.shape):
                # One weight per sample covers all of that sample's labels.
                sw = ops.reshape(sw, tuple(sw.shape) + (1,) * (len(labels_shape) - len(sw.shape)))
                sw = ops.reshape(ops.broadcast_to(sw, labels_shape), (-1,))
            weight = ops.multiply(weight, sw)
        # Out-of-range labels one-hot to zeros; their weight is zero anyway.
        true_hot = ops.one_hot(ops.where(keep, y_true, 0), self.num_classes, dtype=self.dtype)
        pred_hot = ops.one_hot(ops.where(keep, y_pred, 0), self.num_classes, dtype=self.dtype)
        weighted = ops.multiply(true_hot, ops.expand_dims(weight, -1))
        self.total_cm.assign_add(ops.matmul(ops.transpose(weighted), pred_hot))

    def result(self):
        cm = self.total_cm.value
        tp = ops.diagonal(cm)
        denominator = ops.subtract(ops.add(ops.sum(cm, axis=0), ops.sum(cm, axis=1)), tp)
        ids = ops.convert_to_tensor(self.target_class_ids, dtype="int32")
        tp, denominator = ops.take(tp, ids), ops.take(denominator, ids)
        valid = ops.greater(denominator, 1e-9)
        eps = config.epsilon()
        iou = ops.where(valid, ops.divide(tp, ops.add(denominator, eps)), ops.zeros_like(tp))
        return ops.divide(ops.sum(iou), ops.add(ops.sum(ops.cast(valid, self.dtype)), eps))

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of a binary task: predictions >= ``threshold`` are class 1."""

    def __init__(self, target_class_ids: Sequence[int] = (0, 1), threshold: float = 0.5,
                 name: Optional[str] = None, dtype=None):
        super().__init__(2, target_class_ids, name=name or "binary_io_u", dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.greater_equal(ops.convert_to_tensor(y_pred), self.threshold), "int32")
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "target_class_ids": self.target_class_ids,
                "threshold": self.threshold}


class OneHotIoU(IoU):
    """IoU with one-hot ``y_true`` and per-class scores (or ``sparse_y_pred``) as ``y_pred``."""

    def __init__(self, num_classes: int, target_class_ids: Sequence[int],
                 name: Optional[str] = None, dtype=None, ignore_class: Optional[int] = None,
                 sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, target_class_ids, name=name or "one_hot_io_u", dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("sparse_y_true")
        return config


class OneHotMeanIoU(OneHotIoU):
    """Mean IoU over all classes with one-hot ``y_true``."""

    def __init__(self, num_classes: int, name: Optional[str] = None, dtype=None,
                 ignore_class: Optional[int] = None, sparse_y_pred: bool = False, axis: int = -1):
        classes = list(range(num_classes)) if isinstance(num_classes, int) else num_classes
        super().__init__(num_classes, classes, name=name or "one_hot_mean_io_u", dtype=dtype,
                         ignore_class=ignore_class, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("target_class_ids")
        return config
