"""MonitorCallback: the shared logic of callbacks that watch one logged value improve."""
from __future__ import annotations

import re
import warnings

from keraslite.callbacks.argument_checks import check_mode, check_number
from keraslite.callbacks.callback import Callback

# Substrings of metric names whose values are better when higher, and when lower. A name is
# matched against the first list, then the second; "loss" names are always minimised.
_HIGHER_IS_BETTER = (
    "acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "specificity",
    "sensitivity", "cosine_similarity", "true_positives", "true_negatives",
)
_LOWER_IS_BETTER = (
    "loss", "error", "crossentropy", "hinge", "divergence", "poisson", "cosh", "mse", "mae",
    "mape", "msle", "false_positives", "false_negatives",
)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _direction_from_words(name: str):
    if any(word in name for word in _HIGHER_IS_BETTER):
        return "max"
    if any(word in name for word in _LOWER_IS_BETTER):
        return "min"
    return None


def metric_direction(monitor: str, model=None):
    """``"min"`` or ``"max"``: whether lower or higher values of ``monitor`` are better, or None
    if the name does not tell.

    Args:
        monitor: a log name such as ``"val_accuracy"``; a ``val_`` prefix is ignored.
        model: if given, a metric of the model with that name is also judged by its class, so
            ``Precision(name="p")`` is maximised.
    """
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "min"
    candidates = [name.lower()]
    try:
        metrics = list(getattr(model, "metrics", None) or [])
    except Exception:  # a model that cannot list its metrics yet: judge by the name alone
        metrics = []
    for metric in metrics:
        if getattr(metric, "name", None) == name:
            class_name = type(metric).__name__
            candidates += [_snake_case(class_name), class_name.lower()]  # MeanIoU: "meaniou"
    for candidate in candidates:
        direction = _direction_from_words(candidate)
        if direction is not None:
            return direction
    return None


class MonitorCallback(Callback):
    """Base of callbacks that watch one logged value and react to its improvement.

    Args:
        monitor: name of the log entry to watch, e.g. ``"val_loss"``.
        mode: ``"min"``, ``"max"``, or ``"auto"`` to infer the direction from the name (and from
            the model's metric of that name): losses and errors go down; accuracy, AUC,
            precision, recall, F-scores, IoU and R2 go up.
        min_delta: smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0):
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"{owner}: `monitor` must be the name of a logged metric, e.g. 'val_loss'. "
                f"Received: monitor={monitor!r}"
            )
        self.monitor = monitor
        self.mode = check_mode(owner, mode)
        self.min_delta = abs(check_number(owner, "min_delta", min_delta))
        self._direction = None if mode == "auto" else mode
        self._resumed = False  # set by set_state: the next fit carries on from that state

    def _reset(self):
        """Forgets what earlier training runs showed (a subclass clears its counters)."""

    def on_train_begin(self, logs=None):
        if self._resumed:  # a restored state carries on instead of starting over
            self._resumed = False
            return
        self._reset()

    @property
    def direction(self) -> str:
        """``"min"`` or ``"max"``, resolved on first use (the model's metrics exist by then)."""
        if self._direction is None:
            direction = metric_direction(self.monitor, self.model)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} cannot tell whether monitor='{self.monitor}' should "
                    "go up or down. Pass mode='max' if higher values are better or mode='min' if "
                    "lower values are better."
                )
            self._direction = direction
        return self._direction

    def is_improvement(self, current, reference) -> bool:
        """Whether ``current`` beats ``reference`` by more than ``min_delta``; None is beaten
        by anything."""
        direction = self.direction  # resolved (or refused) even when there is no reference
        if reference is None:
            return True
        if direction == "min":
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def monitored_value(self, logs, action: str):
        """``logs[monitor]``, or None with a warning naming the available entries."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"{type(self).__name__}: {action} is conditioned on `{self.monitor}`, which is "
                f"not in the logs. Available: {', '.join(sorted(logs)) or 'none'}.",
                stacklevel=3,
            )
        return value
