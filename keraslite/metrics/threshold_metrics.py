"""Confusion counts at thresholds (TruePositives, ...) and one rate read where another meets a
target (SensitivityAtSpecificity, PrecisionAtRecall, ...).

Counts come from ``confusion_counts`` (every threshold at once, no value-dependent Python
branches), so these metrics trace inside a compiled step like Precision and Recall do.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

from keraslite import ops
from keraslite.losses.loss import divide_no_nan
from keraslite.metrics.confusion_metrics import _ConfusionMetric, _thresholds_list, confusion_counts
from keraslite.metrics.metric import Metric
from keraslite.utils.naming import to_snake_case

_COUNT_NAMES = ("true_positives", "false_positives", "true_negatives", "false_negatives")


class _CountAtThresholds(Metric):
    """One weighted confusion count per threshold (predictions above it count as positive)."""

    _which = 0  # index into (tp, fp, tn, fn)

    def __init__(self, thresholds: Union[None, float, Sequence[float]] = None,
                 name: Optional[str] = None, dtype=None):
        super().__init__(name=name or _COUNT_NAMES[self._which], dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds, self._single = _thresholds_list(thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, dtype=self.dtype)
        self.accumulator.assign_add(counts[self._which])

    def result(self):
        value = self.accumulator.value
        return value[0] if self._single else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_CountAtThresholds):
    """Weighted number of positives predicted above the threshold(s) (0.5 by default).

    Example::

        m = TruePositives(); m.update_state([0, 1, 1, 1], [1, 0, 1, 1]); float(m.result())  # 2.0
    """

    _which = 0


class FalsePositives(_CountAtThresholds):
    """Weighted number of negatives predicted above the threshold(s)."""

    _which = 1


class TrueNegatives(_CountAtThresholds):
    """Weighted number of negatives predicted at or below the threshold(s)."""

    _which = 2


class FalseNegatives(_CountAtThresholds):
    """Weighted number of positives predicted at or below the threshold(s)."""

    _which = 3


def _rate(numerator, other):
    return divide_no_nan(numerator, ops.add(numerator, other))


class _RateAtRate(_ConfusionMetric):
    """Counts at ``num_thresholds`` evenly spaced thresholds in [0, 1]; the result is the largest
    ``dependent`` rate among thresholds whose ``constrained`` rate is >= the target value."""

    _counts = _COUNT_NAMES
    _target_name = "value"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: Optional[int] = None,
                 name: Optional[str] = None, dtype=None):
        cls = type(self).__name__
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f"{cls}: `{self._target_name}` must be a number in [0, 1]. "
                             f"Received: {self._target_name}={value!r}")
        if not isinstance(num_thresholds, int) or num_thresholds <= 0:
            raise ValueError(f"{cls}: `num_thresholds` must be an int > 0. "
                             f"Received: num_thresholds={num_thresholds!r}")
        super().__init__(name=name or to_snake_case(cls), dtype=dtype)
        self.value, self.num_thresholds, self.class_id = float(value), num_thresholds, class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            step = num_thresholds - 1
            self.thresholds = [0.0] + [i / step for i in range(1, step)] + [1.0]
        self._add_counts((len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                          class_id=self.class_id, dtype=self.dtype))

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {"sensitivity": _rate(tp, fn), "recall": _rate(tp, fn),
                "specificity": _rate(tn, fp), "precision": _rate(tp, fp)}

    def _best(self, constrained: str, dependent: str):
        rates = self._rates()
        feasible = ops.greater_equal(rates[constrained], self.value)
        chosen = ops.where(feasible, rates[dependent], ops.zeros_like(rates[dependent]))
        # 0.0 when no threshold meets the target.
        return ops.maximum(ops.max(chosen), 0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._target_name: self.value}


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) among thresholds where specificity >= ``specificity``.

    Example::

        m = SensitivityAtSpecificity(0.5)
        m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]); float(m.result())  # 0.5
    """

    _target_name = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: Optional[int] = None, name: Optional[str] = None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("specificity", "sensitivity")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity among thresholds where sensitivity >= ``sensitivity``."""

    _target_name = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: Optional[int] = None, name: Optional[str] = None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("sensitivity", "specificity")


class PrecisionAtRecall(_RateAtRate):
    """The best precision among thresholds where recall >= ``recall``."""

    _target_name = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: Optional[int] = None,
                 name: Optional[str] = None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("recall", "precision")


class RecallAtPrecision(_RateAtRate):
    """The best recall among thresholds where precision >= ``precision``."""

    _target_name = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: Optional[int] = None, name: Optional[str] = None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("precision", "recall")
