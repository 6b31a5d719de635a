"""The callback a tuner adds to each trial's ``fit``: it reports the objective to the study
each epoch (so a pruner can stop a poor trial early), and keeps the best epoch's weights."""
from __future__ import annotations

import math
from typing import Any, Optional

from keraslite.callbacks import Callback


class TrialCallback(Callback):
    """Tracks the objective per epoch; reports it to ``reporter`` and stops pruned trials.

    ``reporter`` is the running Optuna trial (``report(value, step)``, ``should_prune()``), or
    None when this execution does not report (a repeated execution, several objectives).
    """

    def __init__(self, objectives: list, reporter: Any = None, display: Any = None) -> None:
        super().__init__()
        self.objectives = objectives
        self.reporter = reporter
        self.display = display
        self.history: dict = {}
        self.best_value: Optional[float] = None
        self.best_step: Optional[int] = None
        self.best_weights: Optional[list] = None
        self.pruned = False

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))
        if self.display is not None:
            self.display.epoch(epoch, (self.params or {}).get("epochs"), logs)
        first = self.objectives[0]
        value = logs.get(first.name)
        if value is None or not math.isfinite(float(value)):
            return
        value = float(value)
        if self.best_value is None or first.better(value, self.best_value):
            self.best_value, self.best_step = value, epoch
            # get_weights copies to the host: later steps do not change the copy.
            self.best_weights = self.model.get_weights()
        if self.reporter is not None:
            self.reporter.report(value, epoch)
            if self.reporter.should_prune():
                self.pruned = True
                self.model.stop_training = True
