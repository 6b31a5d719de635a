"""The Oracle: one Optuna study shared by every worker, and the rules that keep it exact.

Each worker asks for a trial, runs it and tells the result. The oracle makes sure that

* at most ``max_trials`` trials are counted (COMPLETED, PRUNED or FAILED) over all workers:
  after asking, a worker checks that its trial is among the first ``max_trials`` live ones by
  trial number, and marks it SURPLUS otherwise (two workers asking at once);
* a failed attempt is tried again with the same parameters up to ``max_retries_per_trial``
  times (the retries are enqueued, so any worker may pick them up);
* a RUNNING trial whose worker died (see ``lease.py``) is marked ABANDONED and its parameters
  are enqueued to run again; only the worker whose tell succeeds enqueues, so no run is doubled.
"""
from __future__ import annotations

import json
import math
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Optional

import optuna
from optuna.trial import TrialState

from keraslite.tuner import lease as lease_lib
from keraslite.tuner import storage as storage_lib
from keraslite.tuner import trial_records as records
from keraslite.tuner.hyperparameters import HyperParameter

SPACE_ATTR = "keraslite:space"
INPUT_SHAPE_ATTR = "keraslite:input_shape"
NEXT_GRID_ATTR = "keraslite:grid_index"


def _trial_seed(seed: Optional[int], number: int) -> Optional[int]:
    if seed is None:
        return None
    return zlib.crc32(f"{seed}:{number}".encode())


class FailedTrialsError(RuntimeError):
    """Raised when too many trials in a row failed (``max_consecutive_failed_trials``)."""


@dataclass
class ActiveTrial:
    """A trial this worker is running."""

    trial: Any  # optuna.Trial
    heartbeat: lease_lib.Heartbeat
    attempt: int

    @property
    def number(self) -> int:
        return self.trial.number


class Oracle:
    """Owns the study; ``trials`` maps trial ids to ``TrialRecord``s."""

    def __init__(self, objectives: list, max_trials: int, sampler: Any, pruner: Any,
                 spec: storage_lib.StorageSpec, study_name: str, project_dir: str,
                 overwrite: bool = False, max_retries_per_trial: int = 0,
                 max_consecutive_failed_trials: int = 3, heartbeat_interval: float = 10.0,
                 lease_timeout: float = 60.0,
                 grid: Optional[Callable[[list], Optional[dict]]] = None,
                 seed: Optional[int] = None) -> None:
        if not isinstance(max_trials, int) or isinstance(max_trials, bool) or max_trials < 1:
            raise ValueError(f"max_trials must be a positive int. Received: {max_trials!r}")
        for name, value in (("max_retries_per_trial", max_retries_per_trial),
                            ("max_consecutive_failed_trials", max_consecutive_failed_trials)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be an int >= 0. Received: {value!r}")
        self.objectives = objectives
        self.max_trials = max_trials
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.heartbeat_interval = heartbeat_interval
        self.lease_timeout = lease_timeout
        self.spec = spec
        self.study_name = study_name
        self._grid = grid
        # ``sampler`` is an Optuna sampler, or a function of a seed that makes one.
        self._sampler_factory = None if hasattr(sampler, "sample_independent") else sampler
        self._seed = seed
        if self._sampler_factory is not None:
            sampler = self._sampler_factory(seed)
        self._active_ids: set = set()
        self._consecutive_failures = 0
        if overwrite and spec.kind == "journal":
            storage_lib.remove_study(spec, None, study_name, project_dir)
        self.storage = storage_lib.open_storage(spec)
        if overwrite and spec.kind == "url":
            storage_lib.remove_study(spec, self.storage, study_name, project_dir)
        directions = [o.optuna_direction for o in objectives]
        self.study = optuna.create_study(
            storage=self.storage, sampler=sampler, pruner=pruner, study_name=study_name,
            directions=directions, load_if_exists=True)

    @property
    def multi_objective(self) -> bool:
        return len(self.objectives) > 1

    # -- the stored search space --------------------------------------------------------------
    def stored_space(self) -> Optional[list]:
        raw = self.study.user_attrs.get(SPACE_ATTR)
        return None if raw is None else [HyperParameter.from_dict(d) for d in json.loads(raw)]

    def store_space(self, space: list) -> None:
        self.study.set_user_attr(SPACE_ATTR, json.dumps([e.to_dict() for e in space]))

    def space(self) -> list:
        return self.stored_space() or []

    # -- claiming a trial ---------------------------------------------------------------------
    def _reap_stale(self, trials: list) -> None:
        for frozen in trials:
            if frozen.state != TrialState.RUNNING or frozen.number in self._active_ids:
                continue
            started = frozen.datetime_start.timestamp() if frozen.datetime_start else None
            if not lease_lib.is_stale(frozen.user_attrs, self.lease_timeout, self._active_ids,
                                      frozen.number, started):
                continue
            try:
                self.storage.set_trial_user_attr(frozen._trial_id, records.STATUS_ATTR,
                                                 records.ABANDONED)
                self.storage.set_trial_state_values(frozen._trial_id, TrialState.FAIL)
            except Exception:
                continue  # another worker reaped it first (or it just finished)
            self._enqueue_again(frozen, attempt=frozen.user_attrs.get(records.ATTEMPT_ATTR, 1))

    def _enqueue_again(self, frozen: Any, attempt: int) -> None:
        # An enqueued trial keeps its parameters in a system attribute until they are asked.
        params = dict(frozen.params) or dict(frozen.system_attrs.get("fixed_params", {}))
        self.study.enqueue_trial(params,
                                 user_attrs={records.ATTEMPT_ATTR: attempt})

    def _counts(self, trials: list) -> tuple:
        counted = [t for t in trials if records.status_of(t) in records.COUNTED]
        running = [t for t in trials if t.state == TrialState.RUNNING]
        return counted, running

    def start_trial(self, poll: float = 0.5) -> Optional[ActiveTrial]:
        """Asks the study for the next trial, or None when ``max_trials`` are counted."""
        while True:
            trials = self.study.get_trials(deepcopy=False)
            self._reap_stale(trials)
            trials = self.study.get_trials(deepcopy=False)
            counted, running = self._counts(trials)
            if len(counted) >= self.max_trials:
                return None
            waiting = any(t.state == TrialState.WAITING for t in trials)
            if len(counted) + len(running) >= self.max_trials:
                # Others hold the last slots: wait, in case one of them dies.
                time.sleep(poll)
                continue
            if self._grid is not None and not waiting:
                params = self._grid(trials)
                if params is not None:
                    self.study.enqueue_trial(params, skip_if_exists=True)
            trial = self.study.ask()
            if self._sampler_factory is not None:
                # A sampler seeded per trial: a resumed search, or a second worker started
                # with the same seed, does not draw the same values again.
                self.study.sampler = self._sampler_factory(_trial_seed(self._seed, trial.number))
            self._active_ids.add(trial.number)
            beat = lease_lib.Heartbeat(self.storage, trial._trial_id,
                                       self.heartbeat_interval).start()
            attempt = trial.user_attrs.get(records.ATTEMPT_ATTR, 1)
            active = ActiveTrial(trial, beat, attempt)
            if self._within_quota(trial.number):
                return active
            self._finish(active, records.SURPLUS, TrialState.FAIL)
            if trial.user_attrs.get(records.ATTEMPT_ATTR) is not None:
                # It was an enqueued rerun: hand its parameters back to the queue.
                self._enqueue_again(self.study._storage.get_trial(trial._trial_id), attempt)

    def _within_quota(self, number: int) -> bool:
        trials = self.study.get_trials(deepcopy=False)
        counted, running = self._counts(trials)
        live = sorted([t.number for t in counted] + [t.number for t in running])
        allowed = set(live[: self.max_trials]) | {t.number for t in counted}
        return number in allowed and len(counted) < self.max_trials

    # -- ending a trial -----------------------------------------------------------------------
    def _finish(self, active: ActiveTrial, status: str, state: Any,
                values: Optional[list] = None, attrs: Optional[dict] = None) -> None:
        active.heartbeat.stop()
        trial_id = active.trial._trial_id
        for key, value in (attrs or {}).items():
            self.storage.set_trial_user_attr(trial_id, key, value)
        self.storage.set_trial_user_attr(trial_id, records.STATUS_ATTR, status)
        self.study.tell(active.trial, values=values, state=state, skip_if_finished=True)
        self._active_ids.discard(active.number)

    def complete(self, active: ActiveTrial, score: Any, attrs: dict, pruned: bool) -> None:
        self._consecutive_failures = 0
        attrs = dict(attrs, **{records.SCORE_ATTR: score})
        if pruned and not self.multi_objective:
            self._finish(active, records.PRUNED, TrialState.PRUNED, attrs=attrs)
            return
        values = list(score) if self.multi_objective else [score]
        self._finish(active, records.COMPLETED, TrialState.COMPLETE, values=values, attrs=attrs)

    def fail(self, active: ActiveTrial, error: str, attrs: dict) -> None:
        """Records a failed attempt; retries it or counts it, and raises after too many."""
        attrs = dict(attrs, **{records.ERROR_ATTR: error})
        if active.attempt <= self.max_retries_per_trial:
            self._finish(active, records.RETRIED, TrialState.FAIL, attrs=attrs)
            frozen = self.study._storage.get_trial(active.trial._trial_id)
            self._enqueue_again(frozen, active.attempt + 1)
            return
        self._finish(active, records.FAILED, TrialState.FAIL, attrs=attrs)
        self._consecutive_failures += 1
        limit = self.max_consecutive_failed_trials
        if limit and self._consecutive_failures >= limit:
            last = error.strip().splitlines()[-1] if error.strip() else error
            raise FailedTrialsError(
                f"{self._consecutive_failures} trials in a row failed "
                f"(max_consecutive_failed_trials={limit}). The last error: {last}\nEach "
                "trial's error is in tuner.oracle.trials[...].message.")

    def abandon_active(self) -> None:
        """Stops the heartbeats of trials interrupted in this process (they will be reaped)."""
        self._active_ids.clear()

    # -- reading ------------------------------------------------------------------------------
    @property
    def trials(self) -> dict:
        """Every trial of the study: trial id -> TrialRecord."""
        space = self.space()
        return {str(t.number): records.from_frozen(t, space)
                for t in self.study.get_trials(deepcopy=False)}

    def get_best_trials(self, num_trials: int = 1) -> list:
        """The best COMPLETED or PRUNED trials, best first (Pareto front first when several
        objectives)."""
        scored = [r for r in self.trials.values()
                  if r.status in (records.COMPLETED, records.PRUNED) and r.score is not None]
        if self.multi_objective:
            front = {t.number for t in self.study.best_trials}
            first = self.objectives[0]
            sign = -1.0 if first.direction == "max" else 1.0
            scored.sort(key=lambda r: (r.number not in front, sign * r.score[0]))
        else:
            sign = -1.0 if self.objectives[0].direction == "max" else 1.0
            scored = [r for r in scored if math.isfinite(r.score)]
            # Completed trials rank before pruned ones of equal score.
            scored.sort(key=lambda r: (sign * r.score, r.status != records.COMPLETED))
        return scored[:num_trials]

    def set_input_shape(self, shape: Optional[list]) -> None:
        if shape is not None and self.study.user_attrs.get(INPUT_SHAPE_ATTR) != shape:
            self.study.set_user_attr(INPUT_SHAPE_ATTR, shape)

    def input_shape(self) -> Optional[list]:
        return self.study.user_attrs.get(INPUT_SHAPE_ATTR)
