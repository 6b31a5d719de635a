"""Metrics from confusion counts: Precision, Recall, AUC, F1/F-beta, MeanIoU, top-k accuracy.

Counts live in Variables and are updated with ``assign`` only, so the metrics trace inside a
compiled step. Predictions are compared with every threshold at once (a (thresholds, values)
comparison), so no Python branches depend on tensor values.
"""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.argument_checks import check_arguments
from keraslite.losses.loss import divide_no_nan, squeeze_or_expand_to_same_rank
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import MeanMetricWrapper

_NEG_INF = -1e10


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the true class (argmax of one-hot ``y_true``) is among the top ``k`` predictions."""
    y_true = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    return sparse_top_k_categorical_accuracy(y_true, y_pred, k=k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the top ``k`` predictions. With ``from_sorted_ids``,
    ``y_pred`` already holds the top class ids, best first."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    y_true = ops.cast(y_true, "int32")
    if from_sorted_ids:
        ids = ops.cast(y_pred[..., :k], "int32")
        hit = ops.any(ops.equal(ids, ops.expand_dims(y_true, -1)), axis=-1)
    else:
        flat_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
        hit = ops.reshape(ops.in_top_k(ops.reshape(y_true, (-1,)), flat_pred, k), ops.shape(y_true))
    return ops.cast(hit, config.floatx())


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k


def _thresholds_list(thresholds, default):
    if thresholds is None:
        return [default], True
    single = isinstance(thresholds, (int, float))
    values = [thresholds] if single else list(thresholds)
    for t in values:  # probability cut-offs: a string or 1.5 is a mistake, not a threshold
        check_arguments("thresholds", {"threshold": t})
    return [float(t) for t in values], single


def _filter_top_k(x, k):
    """Keeps the top ``k`` entries of the last axis and sets the others to a large negative."""
    top = ops.top_k(x, k, sorted=False)[1]
    mask = ops.sum(ops.one_hot(top, x.shape[-1], dtype=x.dtype), axis=-2)
    return ops.add(ops.multiply(x, mask), ops.multiply(_NEG_INF, ops.subtract(1.0, mask)))


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None,
                     multi_label=False, label_weights=None, dtype="float32"):
    """Weighted (tp, fp, tn, fn) per threshold: shape (T,) or (T, labels) with ``multi_label``."""
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), dtype)
    y_true = ops.cast(ops.convert_to_tensor(y_true), dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    weights = ops.ones_like(y_pred)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
        if len(sample_weight.shape) == 1 and len(y_pred.shape) > 1:
            sample_weight = ops.reshape(sample_weight, (-1,) + (1,) * (len(y_pred.shape) - 1))
        else:
            y_pred, sample_weight = squeeze_or_expand_to_same_rank(y_pred, sample_weight)
        weights = ops.multiply(weights, sample_weight)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true, y_pred, weights = y_true[..., class_id], y_pred[..., class_id], weights[..., class_id]
    if label_weights is not None and not multi_label:
        weights = ops.multiply(weights, ops.convert_to_tensor(label_weights, dtype=dtype))
    if multi_label:
        last = y_pred.shape[-1]
        y_true, y_pred, weights = (ops.reshape(t, (-1, last)) for t in (y_true, y_pred, weights))
    else:
        y_true, y_pred, weights = (ops.reshape(t, (-1,)) for t in (y_true, y_pred, weights))
    t = ops.convert_to_tensor(thresholds, dtype=dtype)
    t = ops.reshape(t, (-1,) + (1,) * len(y_pred.shape))
    predicted = ops.cast(ops.greater(ops.expand_dims(y_pred, 0), t), dtype)  # (T, N[, L])
    positive = ops.cast(ops.not_equal(y_true, 0.0), dtype)
    w_pos, w_neg = ops.multiply(weights, positive), ops.multiply(weights, ops.subtract(1.0, positive))
    tp = ops.sum(ops.multiply(predicted, w_pos), axis=1)
    fp = ops.sum(ops.multiply(predicted, w_neg), axis=1)
    fn = ops.subtract(ops.sum(w_pos, axis=0), tp)
    tn = ops.subtract(ops.sum(w_neg, axis=0), fp)
    return tp, fp, tn, fn


class _ConfusionMetric(Metric):
    _counts = ()

    def _add_counts(self, shape):
        for name in self._counts:
            setattr(self, name, self.add_variable(shape, "zeros", name=name))

    def _accumulate(self, counts):
        for name, value in zip(("true_positives", "false_positives", "true_negatives", "false_negatives"),
                               counts):
            if name in self._counts:
                getattr(self, name).assign_add(value)


class Precision(_ConfusionMetric):
    """tp / (tp + fp) for predictions above ``thresholds`` (0.5 by default), optionally only in
    each sample's ``top_k`` and only for ``class_id``.

    Example::

        m = Precision(); m.update_state([0, 1, 1], [0.9, 0.8, 0.2]); float(m.result())  # 0.5
    """

    _counts = ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name or "precision", dtype=dtype)
        for arg, value in (("top_k", top_k), ("class_id", class_id)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < (1 if arg == "top_k" else 0)):
                raise ValueError(f"{type(self).__name__}: `{arg}` must be None or an int >= "
                                 f"{1 if arg == 'top_k' else 0}. Received: {arg}={value!r}")
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else _NEG_INF
        self.thresholds, self._single = _thresholds_list(thresholds, default)
        self._add_counts((len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(confusion_counts(y_true, y_pred, self.thresholds, sample_weight, self.top_k,
                                          self.class_id, dtype=self.dtype))

    def _ratio(self, other):
        tp = self.true_positives.value
        out = divide_no_nan(tp, ops.add(tp, other.value))
        return out[0] if self._single else out

    def result(self):
        return self._ratio(self.false_positives)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Recall(Precision):
    """tp / (tp + fn), with the same arguments as ``Precision``."""

    _counts = ("true_positives", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name or "recall", dtype=dtype)

    def result(self):
        return self._ratio(self.false_negatives)


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from confusion counts at ``num_thresholds``
    evenly spaced thresholds (or the given ``thresholds``).

    Args:
        curve: "ROC" or "PR".
        summation_method: "interpolation" (trapezoids; for PR the Davis & Goadrich
            interpolation), "minoring" or "majoring".
        multi_label: one curve per label (last axis), averaged (weighted by ``label_weights``).
        from_logits: apply a sigmoid to the predictions first.
    """

    _counts = ("true_positives", "false_positives", "true_negatives", "false_negatives")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        super().__init__(name=name or "auc", dtype=dtype)
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'AUC: `curve` must be "ROC" or "PR". Received: curve={curve!r}')
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError('AUC: `summation_method` must be "interpolation", "minoring" or '
                             f'"majoring". Received: summation_method={summation_method!r}')
        eps = 1e-7
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: `num_thresholds` must be > 1. Received: {num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self._init_thresholds = thresholds
        self.curve, self.summation_method = curve, summation_method
        self.multi_label, self.num_labels, self.from_logits = multi_label, num_labels, from_logits
        self.label_weights = None if label_weights is None else list(label_weights)
        self.built = False
        if not multi_label or num_labels is not None:
            self._build(num_labels)

    def _build(self, num_labels):
        shape = (self.num_thresholds, num_labels) if self.multi_label else (self.num_thresholds,)
        self.num_labels = num_labels
        self._add_counts(shape)
        self.built = True

    def build(self, y_true_shape, y_pred_shape):
        """Creates the counts once the number of labels is known (``multi_label`` only)."""
        if not self.built:
            self._build(tuple(y_pred_shape)[-1])

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred)
        if not self.built:
            self._build(y_pred.shape[-1])
        if self.from_logits:
            y_pred = ops.sigmoid(y_pred)
        self._accumulate(confusion_counts(
            y_true, y_pred, self.thresholds, sample_weight, multi_label=self.multi_label,
            label_weights=self.label_weights, dtype=self.dtype))

    def _average_labels(self, by_label):
        if not self.multi_label:
            return ops.sum(by_label)
        by_label = ops.sum(by_label, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        weights = ops.convert_to_tensor(self.label_weights, dtype=self.dtype)
        return divide_no_nan(ops.sum(ops.multiply(by_label, weights)), ops.sum(weights))

    def _interpolated_pr_auc(self):
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        dtp = ops.subtract(tp[:-1], tp[1:])
        predicted = ops.add(tp, fp)
        dp = ops.subtract(predicted[:-1], predicted[1:])
        slope = divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = ops.subtract(tp[1:], ops.multiply(slope, predicted[1:]))
        both = ops.logical_and(ops.greater(predicted[:-1], 0.0), ops.greater(predicted[1:], 0.0))
        ratio = ops.where(both, divide_no_nan(predicted[:-1], ops.maximum(predicted[1:], 0.0)),
                          ops.ones_like(predicted[1:]))
        increment = divide_no_nan(ops.multiply(slope, ops.add(dtp, ops.multiply(intercept, ops.log(ratio)))),
                                  ops.maximum(ops.add(tp[1:], fn[1:]), 0.0))
        return self._average_labels(increment)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_auc()
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, ops.add(tp, fn))
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, ops.add(fp, tn)), recall
        else:
            x, y = recall, divide_no_nan(tp, ops.add(tp, fp))
        if self.summation_method == "interpolation":
            heights = ops.divide(ops.add(y[:-1], y[1:]), 2.0)
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._average_labels(ops.multiply(ops.subtract(x[:-1], x[1:]), heights))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "thresholds": self._init_thresholds,
                "multi_label": self.multi_label, "num_labels": self.num_labels,
                "label_weights": self.label_weights, "from_logits": self.from_logits}


class FBetaScore(Metric):
    """F-beta per class from thresholded predictions (the row maximum when ``threshold`` is
    None), averaged by ``average``: None (per class), "micro", "macro" or "weighted"."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError('FBetaScore: `average` must be None, "micro", "macro" or "weighted". '
                             f"Received: average={average!r}")
        if not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"FBetaScore: `beta` must be a positive float. Received: beta={beta!r}")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValueError(f"FBetaScore: `threshold` must be in (0, 1]. Received: threshold={threshold!r}")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        """Creates per-class counts once the number of classes (last axis of y_pred) is known."""
        if self.built:
            return
        num_classes = tuple(y_pred_shape)[-1]
        if num_classes is None:
            raise ValueError(f"{type(self).__name__} needs a known number of classes (last axis of "
                             f"y_pred). Received: y_pred shape={tuple(y_pred_shape)}")
        for name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, name, self.add_variable((num_classes,), "zeros", name=name))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        if len(y_pred.shape) != 2 or len(y_true.shape) != 2:
            raise ValueError(f"{type(self).__name__} expects y_true and y_pred of rank 2 "
                             f"(batch, classes). Received: y_true.shape={tuple(y_true.shape)}, "
                             f"y_pred.shape={tuple(y_pred.shape)}")
        self.build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = ops.max(y_pred, axis=-1, keepdims=True)
            predicted = ops.logical_and(ops.greater_equal(y_pred, top), ops.greater(ops.abs(y_pred), 1e-9))
        else:
            predicted = ops.greater(y_pred, self.threshold)
        predicted = ops.cast(predicted, self.dtype)

        def weighted_sum(values):
            if sample_weight is not None:
                weight = ops.reshape(ops.cast(ops.convert_to_tensor(sample_weight), self.dtype), (-1, 1))
                values = ops.multiply(values, weight)
            return ops.sum(values, axis=0)

        self.true_positives.assign_add(weighted_sum(ops.multiply(predicted, y_true)))
        self.false_positives.assign_add(weighted_sum(ops.multiply(predicted, ops.subtract(1.0, y_true))))
        self.false_negatives.assign_add(weighted_sum(ops.multiply(ops.subtract(1.0, predicted), y_true)))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        eps = config.epsilon()
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        if self.average == "micro":
            tp, fp, fn = ops.sum(tp), ops.sum(fp), ops.sum(fn)
        precision = ops.divide(tp, ops.add(ops.add(tp, fp), eps))
        recall = ops.divide(tp, ops.add(ops.add(tp, fn), eps))
        beta2 = self.beta ** 2
        score = ops.multiply(ops.divide(ops.multiply(precision, recall),
                                        ops.add(ops.add(ops.multiply(beta2, precision), recall), eps)),
                             1.0 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            weights = ops.divide(weights, ops.add(ops.sum(weights), eps))
            return ops.sum(ops.multiply(score, weights))
        if self.average is not None:
            return ops.mean(score)
        return score

    def reset_state(self):
        if self.built:
            super().reset_state()

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score (F-beta with beta = 1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("beta")
        return config


class MeanIoU(Metric):
    """Mean intersection-over-union over classes, from a running confusion matrix."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name or "mean_io_u", dtype=dtype)
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"MeanIoU: `num_classes` must be a positive int. Received: {num_classes!r}")
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros", name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        y_pred = ops.reshape(ops.cast(y_pred, "int32"), (-1,))
        weight = ops.ones_like(ops.cast(y_true, self.dtype))
        if sample_weight is not None:
            sw = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            weight = ops.multiply(weight, ops.reshape(sw, (-1,)) if len(sw.shape) else sw)
        if self.ignore_class is not None:
            weight = ops.multiply(weight, ops.cast(ops.not_equal(y_true, self.ignore_class), self.dtype))
        true_hot = ops.one_hot(y_true, self.num_classes, dtype=self.dtype)
        pred_hot = ops.one_hot(y_pred, self.num_classes, dtype=self.dtype)
        cm = ops.matmul(ops.transpose(ops.multiply(true_hot, ops.expand_dims(weight, -1))), pred_hot)
        self.total_cm.assign_add(cm)

    def result(self):
        cm = self.total_cm.value
        predicted, actual = ops.sum(cm, axis=0), ops.sum(cm, axis=1)
        true_positives = ops.diagonal(cm)
        denominator = ops.subtract(ops.add(predicted, actual), true_positives)
        valid = ops.sum(ops.cast(ops.not_equal(denominator, 0.0), self.dtype))
        return divide_no_nan(ops.sum(divide_no_nan(true_positives, denominator)), valid)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
