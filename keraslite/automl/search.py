"""The AutoModel's tuner: the hand-picked defaults first, then TPE, within a time budget."""
from __future__ import annotations

import time
from typing import Any, Optional

from keraslite import callbacks as callbacks_lib
from keraslite.tuner.display import SearchDisplay
from keraslite.tuner.tuners import BayesianOptimization


class AutoTuner(BayesianOptimization):
    """BayesianOptimization whose first trial is every block's default configuration (the
    greedy start), that stops each trial early when validation stops improving, and that
    starts no trial which the ``time_budget`` (seconds) would not leave time to finish."""

    def __init__(self, hypermodel: Any, time_budget: Optional[float] = None,
                 patience: int = 3, **kwargs: Any) -> None:
        super().__init__(hypermodel, **kwargs)
        self.time_budget = time_budget
        self.patience = patience

    def _enqueue_defaults(self) -> None:
        if self.oracle.study.get_trials(deepcopy=False):
            return  # a resumed search already tried them
        defaults = {e.key: e.default for e in self._space if e.kind != "fixed"}
        self.oracle.study.enqueue_trial(defaults)

    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        self._enqueue_defaults()
        callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        monitor = self.objectives[0]
        callbacks.append(callbacks_lib.EarlyStopping(
            monitor=monitor.name, mode=monitor.direction, patience=self.patience))
        fit_kwargs["callbacks"] = callbacks
        started = time.monotonic()
        display = SearchDisplay(self.verbose, self.oracle.max_trials, monitor.name)
        durations: list = []
        while True:
            if self.time_budget is not None and durations:
                # Start another trial only if one as long as the longest so far still fits.
                if time.monotonic() - started + max(durations) > self.time_budget:
                    break
            active = self.oracle.start_trial()
            if active is None:
                break
            trial_start = time.monotonic()
            try:
                self._run_trial(active, display, fit_args, dict(fit_kwargs))
            finally:
                active.heartbeat.stop()
                self.oracle._active_ids.discard(active.number)
            durations.append(time.monotonic() - trial_start)
