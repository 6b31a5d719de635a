"""LearningRateScheduler: set the learning rate at the start of each epoch from a function."""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from keraslite.callbacks.callback import Callback
from keraslite.callbacks.learning_rate_access import get_learning_rate, set_learning_rate


def _takes_current_rate(schedule) -> bool:
    """Whether ``schedule`` accepts two positional arguments ``(epoch, lr)``."""
    try:
        parameters = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: use the two-argument form
        return True
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to ``schedule(epoch)`` or ``schedule(epoch, lr)``.

    The schedule runs at the start of each epoch (0-based ``epoch``; ``lr`` is the current rate
    as a float); each epoch's logs get ``"learning_rate"``, the rate used during the epoch.

    Args:
        schedule: a function of ``epoch`` or of ``(epoch, lr)`` returning a float.
        verbose: 1 prints the new rate at each epoch.

    Example::

        def schedule(epoch, lr):
            return lr if epoch < 10 else lr * 0.9

        model.fit(x, y, epochs=20,
                  callbacks=[keraslite.callbacks.LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler: `schedule` must be a function of (epoch) or "
                f"(epoch, lr) returning a float. Received: schedule={schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose
        self._two_arguments = _takes_current_rate(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        if self._two_arguments:
            current = get_learning_rate("LearningRateScheduler", self.model)
            value = self.schedule(epoch, current)
        else:
            value = self.schedule(epoch)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(
                "LearningRateScheduler: `schedule` must return a float. "
                f"Received: {value!r} (of type {type(value).__name__}) for epoch={epoch}"
            )
        set_learning_rate("LearningRateScheduler", self.model, float(value))
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(value)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate("LearningRateScheduler", self.model)
