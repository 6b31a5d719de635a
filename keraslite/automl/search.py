"""The AutoModel's tuner: hand-picked configurations first, then the chosen strategy (TPE by
default), within a time budget and a model-size limit."""
from __future__ import annotations

import time
from typing import Any, Optional

from keraslite import callbacks as callbacks_lib
from keraslite.tuner.display import SearchDisplay
from keraslite.tuner.hypermodel import HyperModel
from keraslite.tuner.tuner import Tuner
from keraslite.tuner.tuners import BayesianOptimization, Hyperband, RandomSearch

STRATEGIES = {"greedy": BayesianOptimization, "bayesian": BayesianOptimization,
              "random": RandomSearch, "hyperband": Hyperband}


class ModelTooLargeError(ValueError):
    """A trial's model has more parameters than ``max_model_size``."""


class SizeLimited(HyperModel):
    """The graph, whose trials fail at build time (before any training) when the model has
    more than ``max_model_size`` parameters; the reason is recorded with the trial."""

    def __init__(self, graph: Any, max_model_size: Optional[int]) -> None:
        super().__init__(name=graph.name)
        self.graph, self.max_model_size = graph, max_model_size

    def build(self, hp: Any) -> Any:
        model = self.graph.build(hp)
        # Only trials are limited: the tuner's first build records the space (no source).
        if self.max_model_size is not None and getattr(hp, "_source", None) is not None:
            size = int(model.count_params())
            if size > self.max_model_size:
                raise ModelTooLargeError(
                    f"The trial's model has {size} parameters, more than max_model_size="
                    f"{self.max_model_size}; it was not trained.")
        return model


class _Deadline(callbacks_lib.Callback):
    """Stops a trial's fit at the end of the first epoch past ``deadline`` (time.monotonic()),
    so one slow configuration (an application block from scratch) cannot run far past the
    time budget; the trial keeps its best epoch so far. Epoch ends only: a batch hook would
    make fit run one step per dispatch instead of its compiled multi-step loops."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        if time.monotonic() > self.deadline:
            self.model.stop_training = True


class AutoSearch:
    """Mixed into a keraslite tuner: runs ``initial_hps`` (every block's defaults, then the
    task's hand-picked configurations) before the tuner's own strategy, stops each trial early
    when validation stops improving, starts no trial which the ``time_budget`` (seconds)
    would not leave time to finish, and ends a running trial's fit at the first epoch end past
    the budget."""

    def __init__(self, hypermodel: Any, time_budget: Optional[float] = None,
                 patience: int = 3, initial_hps: Optional[list] = None,
                 **kwargs: Any) -> None:
        super().__init__(hypermodel, **kwargs)
        self.time_budget = time_budget
        self.patience = patience
        self.initial_hps = list(initial_hps or [])

    def _enqueue_next(self) -> None:
        """Queues the next hand-picked configuration not yet run (one at a time, so an
        interrupted or time-limited search leaves none waiting, and a resumed one goes on)."""
        defaults = {e.key: e.default for e in self._space if e.kind != "fixed"}
        queue: list = []
        for overrides in [{}] + self.initial_hps:
            params = dict(defaults, **overrides)
            if params not in queue:
                queue.append(params)
        started = len(self.oracle.study.get_trials(deepcopy=False))
        if started < min(len(queue), self.oracle.max_trials):
            self.oracle.study.enqueue_trial(queue[started])

    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        monitor = self.objectives[0]
        callbacks.append(callbacks_lib.EarlyStopping(
            monitor=monitor.name, mode=monitor.direction, patience=self.patience))
        started = time.monotonic()
        if self.time_budget is not None:
            callbacks.append(_Deadline(started + self.time_budget))
        fit_kwargs["callbacks"] = callbacks
        display = SearchDisplay(self.verbose, self.oracle.max_trials, monitor.name)
        durations: list = []
        while True:
            if self.time_budget is not None and durations:
                # Start another trial only if one as long as the longest so far still fits.
                if time.monotonic() - started + max(durations) > self.time_budget:
                    break
            self._enqueue_next()
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


class AutoTuner(AutoSearch, BayesianOptimization):
    """The default: hand-picked configurations, then Optuna's TPE."""


def make_tuner(tuner: Any, hypermodel: Any, epochs: int, **kwargs: Any) -> Tuner:
    """The AutoSearch tuner for ``tuner``: None, a strategy name or a keraslite Tuner class."""
    if tuner is None or tuner in ("greedy", "bayesian"):
        return AutoTuner(hypermodel, **kwargs)
    base = STRATEGIES.get(tuner) if isinstance(tuner, str) else tuner
    if base is Hyperband:
        kwargs["max_epochs"] = epochs  # Hyperband's rungs are epochs of the fit
    cls = type(f"Auto{base.__name__}", (AutoSearch, base), {})
    return cls(hypermodel, **kwargs)


def check_tuner(tuner: Any) -> None:
    if tuner is None or (isinstance(tuner, str) and tuner in STRATEGIES):
        return
    if isinstance(tuner, type) and issubclass(tuner, Tuner):
        return
    raise ValueError("tuner must be 'greedy', 'bayesian', 'random', 'hyperband' or a "
                     f"keraslite.tuner Tuner class. Received: {tuner!r}")
