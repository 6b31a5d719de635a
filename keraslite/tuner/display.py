"""The search's progress display: trial n of N, the best score so far, the running trial's
epoch (rich). ``verbose=0`` shows nothing."""
from __future__ import annotations

import sys
from typing import Any, Optional

from rich.console import Console


class SearchDisplay:
    """Prints one line per trial start and end, and a live epoch line while a trial trains."""

    def __init__(self, verbose: int, max_trials: int, objective_name: str,
                 file: Any = None) -> None:
        self.verbose = verbose
        self.max_trials = max_trials
        self.objective_name = objective_name
        self.console = Console(file=file or sys.stdout, highlight=False)
        self._status: Any = None
        self._trial: Optional[int] = None

    def trial_start(self, number: int, done: int, values: dict) -> None:
        if not self.verbose:
            return
        self._trial = number
        self.console.print(f"[bold]Trial {done + 1}/{self.max_trials}[/bold] (#{number}) "
                           f"{_format(values)}")
        if self.console.is_terminal:
            self._status = self.console.status(f"Trial #{number}: building")
            self._status.start()

    def epoch(self, epoch: int, epochs: Optional[int], logs: dict) -> None:
        if not self.verbose:
            return
        total = f"/{epochs}" if epochs else ""
        text = f"Trial #{self._trial} epoch {epoch + 1}{total}: {_format(logs)}"
        if self._status is not None:
            self._status.update(text)
        elif self.verbose > 1:
            self.console.print(text)

    def trial_end(self, number: int, status: str, score: Any, best: Any,
                  duration: Optional[float], message: Optional[str] = None) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if not self.verbose:
            return
        took = f" in {duration:.1f}s" if duration is not None else ""
        line = f"Trial #{number} {status}{took}: {self.objective_name}={_value(score)}"
        if message:
            line += f" ({message.strip().splitlines()[-1][:200]})"
        self.console.print(line + f" | best so far: {_value(best)}")


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _format(values: dict) -> str:
    return ", ".join(f"{k}={_value(v)}" for k, v in values.items())
