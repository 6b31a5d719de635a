"""ReduceLROnPlateau: lower the learning rate when a monitored metric stops improving."""
from __future__ import annotations

import numpy as np

from keraslite.callbacks.argument_checks import check_int, check_number
from keraslite.callbacks.learning_rate_access import get_learning_rate, set_learning_rate
from keraslite.callbacks.monitor import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without improvement.

    After a reduction, ``cooldown`` epochs pass before waiting starts again. The learning rate
    never goes below ``min_lr``. Each epoch's logs get ``"learning_rate"``: the rate used during
    that epoch (before any reduction at its end), as in Keras 3.

    Args:
        monitor: the log entry to watch.
        factor: the multiplier, strictly between 0 and 1.
        patience: epochs without improvement before reducing.
        verbose: 1 prints a line at each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (see ``MonitorCallback``).
        min_delta: an improvement must beat the best value by more than this.
        cooldown: epochs to skip after a reduction before counting again.
        min_lr: the lower bound of the learning rate.

    Example::

        reduce = keraslite.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-5)
        model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[reduce])
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        factor = check_number("ReduceLROnPlateau", "factor", factor)
        if not 0.0 < factor < 1.0:
            raise ValueError(
                "ReduceLROnPlateau: `factor` must be between 0 and 1 (exclusive), so the "
                f"learning rate goes down. Received: factor={factor!r}"
            )
        self.factor = factor
        self.patience = check_int("ReduceLROnPlateau", "patience", patience)
        self.verbose = verbose
        self.cooldown = check_int("ReduceLROnPlateau", "cooldown", cooldown)
        self.min_lr = check_number("ReduceLROnPlateau", "min_lr", min_lr)
        if self.min_lr < 0:
            raise ValueError(
                f"ReduceLROnPlateau: `min_lr` must be >= 0. Received: min_lr={min_lr!r}"
            )
        self._reset()

    def _reset(self):
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = get_learning_rate("ReduceLROnPlateau", self.model)
        current = self.monitored_value(logs, "learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait >= self.patience and self._reduce(epoch, logs["learning_rate"]):
            self.cooldown_counter = self.cooldown
            self.wait = 0

    def _reduce(self, epoch, old_lr) -> bool:
        # The rate lives in a float32 Variable: compare in float32 so a rate already at
        # min_lr (after rounding) is left alone.
        if not old_lr > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        set_learning_rate("ReduceLROnPlateau", self.model, new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True

    def get_state(self):
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def set_state(self, state):
        best = state.get("best")
        self.best = None if best is None else float(best)
        self.wait = int(state.get("wait", 0))
        self.cooldown_counter = int(state.get("cooldown_counter", 0))
        self._resumed = True
