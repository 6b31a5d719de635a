"""EarlyStopping: stop training when a monitored metric has stopped improving."""
from __future__ import annotations

from keraslite.callbacks.argument_checks import check_int, check_number
from keraslite.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stops ``fit`` once ``monitor`` has not improved for ``patience`` epochs (Keras 3).

    Every epoch that is not an improvement adds one to a wait counter; an improvement resets
    it (unless ``baseline`` is set and not yet beaten). Training stops at the end of the epoch
    where the counter reaches ``patience``.

    Args:
        monitor: the log entry to watch.
        min_delta: an improvement must beat the best value by more than this.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when training stops or weights are restored.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (see ``MonitorCallback``).
        baseline: a value the metric must beat before the wait counter resets; None for none.
        restore_best_weights: at the end of training (stopped early or not), set the weights
            seen at the end of the best epoch.
        start_from_epoch: epochs to let pass before watching (a warm-up).

    Example::

        stop = keraslite.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])

    ``get_state()`` returns the counters, the best value and epoch, and, with
    ``restore_best_weights``, the best weights under ``"best_weights"`` (a list of NumPy
    arrays, or None).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = check_int("EarlyStopping", "patience", patience)
        self.verbose = verbose
        self.baseline = check_number("EarlyStopping", "baseline", baseline, allow_none=True)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_int("EarlyStopping", "start_from_epoch", start_from_epoch)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = self.monitored_value(logs, "early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Something to restore even if no later epoch improves on a baseline.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_state(self):
        return {
            "wait": self.wait, "stopped_epoch": self.stopped_epoch, "best": self.best,
            "best_epoch": self.best_epoch,
            "best_weights": None if self.best_weights is None else list(self.best_weights),
        }

    def set_state(self, state):
        self.wait = int(state.get("wait", 0))
        self.stopped_epoch = int(state.get("stopped_epoch", 0))
        best = state.get("best")
        self.best = None if best is None else float(best)
        self.best_epoch = int(state.get("best_epoch", 0))
        weights = state.get("best_weights")
        self.best_weights = None if weights is None else list(weights)
        self._resumed = True
