"""The tuners: KerasTuner's four classes, each an Optuna sampler and pruner behind ``Tuner``.

Every tuner takes ``pruner=`` ("median", "successive_halving", "hyperband", None or an Optuna
pruner) and ``storage=`` (a database URL shared by many workers; default: a journal file under
``directory/project_name``), besides KerasTuner's arguments.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Optional

from keraslite.tuner import engine
from keraslite.tuner.hyperparameters import HyperParameters
from keraslite.tuner.tuner import Tuner


def _sampler_or(sampler: Any, default: Any) -> Any:
    """The user's sampler as is, else ``default``: a function of a seed making one."""
    if sampler is None:
        return default
    if not engine.is_sampler(sampler):
        raise TypeError("sampler must be an Optuna sampler. "
                        f"Received: {type(sampler).__name__}")
    return sampler


class RandomSearch(Tuner):
    """Samples every hyperparameter at random (seeded by ``seed``)."""

    def __init__(self, hypermodel: Any = None, objective: Any = None, max_trials: int = 10,
                 seed: Optional[int] = None, pruner: Any = None, sampler: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(hypermodel, objective, max_trials,
                         sampler=_sampler_or(sampler, engine.random_sampler),
                         pruner=engine.make_pruner(pruner), seed=seed, **kwargs)


class BayesianOptimization(Tuner):
    """Tree-structured Parzen Estimator (Optuna's TPE), seeded by ``seed``.

    ``num_initial_points`` random trials come first (default: a third of ``max_trials``,
    between 3 and 10). ``alpha`` and ``beta`` (KerasTuner's Gaussian-process settings) are
    accepted for compatibility and have no effect on TPE.
    """

    def __init__(self, hypermodel: Any = None, objective: Any = None, max_trials: int = 10,
                 num_initial_points: Optional[int] = None, alpha: float = 1e-4,
                 beta: float = 2.6, seed: Optional[int] = None, pruner: Any = None,
                 sampler: Any = None, **kwargs: Any) -> None:
        if num_initial_points is None:
            num_initial_points = min(10, max(3, max_trials // 3))
        sampler = _sampler_or(sampler, lambda s: engine.tpe_sampler(s, num_initial_points))
        super().__init__(hypermodel, objective, max_trials, sampler=sampler,
                         pruner=engine.make_pruner(pruner), seed=seed, **kwargs)


class Hyperband(Tuner):
    """Random sampling with Optuna's Hyperband pruner over epochs.

    Every trial is asked to train ``max_epochs`` epochs; the pruner stops it at the rungs
    ``1, factor, factor**2, ...`` when it is not among the best ``1/factor`` of its bracket.
    ``max_trials`` defaults to the number of models the brackets of one Hyperband iteration
    start (``ceil((s_max + 1) / (s + 1) * factor**s)`` for each bracket ``s``), times
    ``hyperband_iterations``.
    """

    def __init__(self, hypermodel: Any = None, objective: Any = None, max_epochs: int = 100,
                 factor: int = 3, hyperband_iterations: int = 1, seed: Optional[int] = None,
                 max_trials: Optional[int] = None, pruner: Any = None, sampler: Any = None,
                 **kwargs: Any) -> None:
        if not isinstance(max_epochs, int) or max_epochs < 1:
            raise ValueError(f"max_epochs must be a positive int. Received: {max_epochs!r}")
        if not isinstance(factor, int) or factor < 2:
            raise ValueError(f"factor must be an int >= 2. Received: {factor!r}")
        if max_trials is None:
            max_trials = hyperband_iterations * _hyperband_models(max_epochs, factor)
        pruner = (engine.hyperband_pruner(max_epochs, factor) if pruner is None
                  else engine.make_pruner(pruner))
        super().__init__(hypermodel, objective, max_trials,
                         sampler=_sampler_or(sampler, engine.random_sampler),
                         pruner=pruner, seed=seed, epochs=max_epochs, **kwargs)


def _hyperband_models(max_epochs: int, factor: int) -> int:
    s_max = int(math.floor(math.log(max_epochs, factor) + 1e-9))
    return sum(int(math.ceil((s_max + 1) / (s + 1) * factor ** s)) for s in range(s_max + 1))


class GridSearch(Tuner):
    """Tries every combination of the search space's values, in order.

    Ints, Choices and Booleans are enumerated; a Float needs a ``step``. ``max_trials`` caps the
    number of combinations tried (default: all of them). Hyperparameters outside the grid (in a
    conditional branch the default model does not take) are sampled at random.
    """

    def __init__(self, hypermodel: Any = None, objective: Any = None,
                 max_trials: Optional[int] = None, seed: Optional[int] = None,
                 pruner: Any = None, **kwargs: Any) -> None:
        self._combinations: Optional[list] = None
        super().__init__(hypermodel, objective, max_trials or 1,
                         sampler=engine.random_sampler,
                         pruner=engine.make_pruner(pruner), seed=seed, grid=self._next,
                         **kwargs)
        size = len(self._grid_values())
        self.oracle.max_trials = size if max_trials is None else min(max_trials, size)

    def _grid_values(self) -> list:
        if self._combinations is None:
            axes, keys = [], []
            for entry in self._space:
                values = entry.discrete_values()
                if values is None:
                    raise ValueError(f"GridSearch: Float '{entry.name}' needs a step to be "
                                     "enumerated. Pass step=... to hp.Float.")
                if entry.kind != "fixed":
                    keys.append(entry.key)
                    axes.append(values)
            self._combinations = [dict(zip(keys, combo)) for combo in itertools.product(*axes)]
        return self._combinations

    def _next(self, trials: list) -> Optional[dict]:
        """The first combination no trial has taken yet (None when all are taken)."""
        taken = []
        for frozen in trials:
            params = dict(frozen.system_attrs.get("fixed_params", {}))
            params.update(frozen.params)
            taken.append(params)
        for combo in self._grid_values():
            if not any(all(p.get(k) == v for k, v in combo.items()) for p in taken):
                return combo
        return None


__all__ = ["RandomSearch", "BayesianOptimization", "Hyperband", "GridSearch",
           "HyperParameters"]
