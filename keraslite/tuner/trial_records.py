"""Trial records: a finished or running trial as the tuner reports it (``tuner.oracle.trials``).

The study keeps what a record needs in each Optuna trial's user attributes (JSON values), so a
record reads the same from any worker and after a restart.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Optional

from keraslite.tuner.hyperparameters import HyperParameter, HyperParameters

STATUS_ATTR = "keraslite:status"
VALUES_ATTR = "keraslite:values"      # name -> value, as hp.values
KEYED_ATTR = "keraslite:keyed"        # entry key -> value (rebuilds the model)
METRICS_ATTR = "keraslite:metrics"    # metric -> per-epoch list (first execution)
SCORE_ATTR = "keraslite:score"
BEST_STEP_ATTR = "keraslite:best_step"
ERROR_ATTR = "keraslite:error"
ATTEMPT_ATTR = "keraslite:attempt"

COMPLETED, PRUNED, FAILED = "COMPLETED", "PRUNED", "FAILED"
RUNNING, WAITING = "RUNNING", "WAITING"
# Attempts that do not count towards max_trials: a failed attempt that is tried again, a trial
# whose worker died (its parameters run again), a trial asked beyond max_trials by a race.
RETRIED, ABANDONED, SURPLUS = "RETRIED", "ABANDONED", "SURPLUS"
COUNTED = (COMPLETED, PRUNED, FAILED)


def status_of(frozen: Any) -> str:
    """The keraslite status of an Optuna FrozenTrial."""
    state = frozen.state.name
    if state == "RUNNING":
        return RUNNING
    if state == "WAITING":
        return WAITING
    recorded = frozen.user_attrs.get(STATUS_ATTR)
    if recorded is not None:
        return recorded
    return {"COMPLETE": COMPLETED, "PRUNED": PRUNED}.get(state, FAILED)


@dataclass
class TrialRecord:
    """One trial: its status, hyperparameters, score, metrics, error and timing."""

    trial_id: str
    number: int
    status: str
    hyperparameters: HyperParameters
    score: Any = None
    best_step: Optional[int] = None
    metrics: dict = field(default_factory=dict)
    message: Optional[str] = None
    attempt: int = 1
    start_time: Optional[datetime.datetime] = None
    end_time: Optional[datetime.datetime] = None

    @property
    def duration(self) -> Optional[float]:
        """Seconds the trial ran, once finished."""
        if self.start_time is None or self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()

    def summary(self) -> str:
        lines = [f"Trial {self.trial_id} summary", "Hyperparameters:"]
        lines += [f"{name}: {value}" for name, value in self.hyperparameters.values.items()]
        if self.score is not None:
            lines.append(f"Score: {self.score}")
        if self.message:
            lines.append(f"Error: {self.message.strip().splitlines()[-1]}")
        return "\n".join(lines)


def from_frozen(frozen: Any, space: list) -> TrialRecord:
    attrs = frozen.user_attrs
    keyed = attrs.get(KEYED_ATTR, {})
    entries = [e if isinstance(e, HyperParameter) else HyperParameter.from_dict(e)
               for e in space]
    hp = HyperParameters.from_values(keyed, entries, attrs.get(VALUES_ATTR, {}))
    return TrialRecord(
        trial_id=str(frozen.number), number=frozen.number, status=status_of(frozen),
        hyperparameters=hp, score=attrs.get(SCORE_ATTR), best_step=attrs.get(BEST_STEP_ATTR),
        metrics=attrs.get(METRICS_ATTR, {}), message=attrs.get(ERROR_ATTR),
        attempt=attrs.get(ATTEMPT_ATTR, 1), start_time=frozen.datetime_start,
        end_time=frozen.datetime_complete)
