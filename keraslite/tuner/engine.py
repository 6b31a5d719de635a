"""The Optuna side of a search: samplers, pruners, and the adapter that lets a trial answer
``hp.Int``/``hp.Float``/``hp.Choice`` (define-by-run: each call becomes a ``suggest_*``)."""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional

import optuna

from keraslite.tuner.hyperparameters import HyperParameter

optuna.logging.set_verbosity(optuna.logging.WARNING)

PRUNER_NAMES = ("median", "successive_halving", "hyperband", "none")


def make_pruner(pruner: Any, max_epochs: Optional[int] = None) -> Any:
    """An Optuna pruner from a name ("median", "successive_halving", "hyperband", None) or as is."""
    if pruner is None or pruner == "none":
        return optuna.pruners.NopPruner()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner == "median":
        # The first epoch says little about a model: judge from the second one on.
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    if pruner == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max_epochs or "auto", reduction_factor=3)
    raise ValueError(f"pruner must be one of {PRUNER_NAMES[:-1]}, None or an Optuna pruner. "
                     f"Received: pruner={pruner!r}")


def random_sampler(seed: Optional[int]) -> Any:
    return optuna.samplers.RandomSampler(seed=seed)


def tpe_sampler(seed: Optional[int], n_startup_trials: int) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # constant_liar keeps parallel workers from proposing the same point.
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials,
                                          constant_liar=True)


def hyperband_pruner(max_epochs: int, factor: int) -> Any:
    return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max_epochs,
                                          reduction_factor=factor)


def is_pruner(value: Any) -> bool:
    return isinstance(value, optuna.pruners.BasePruner)


def is_sampler(value: Any) -> bool:
    return isinstance(value, optuna.samplers.BaseSampler)


def suggest(trial: Any, entry: HyperParameter) -> Any:
    """Asks an Optuna trial for ``entry``'s value (keyed by ``entry.key``)."""
    c, key = entry.config, entry.key
    if entry.kind in ("choice", "boolean") or "values" in c:
        values = entry.discrete_values()
        return trial.suggest_categorical(key, values)
    log = c["sampling"] != "linear"
    if entry.kind == "int":
        if log:
            return trial.suggest_int(key, c["min_value"], c["max_value"], log=True)
        return trial.suggest_int(key, c["min_value"], c["max_value"], step=c["step"] or 1)
    if log:
        value = trial.suggest_float(key, c["min_value"], c["max_value"], log=True)
        if c["sampling"] == "reverse_log":
            # Dense near max_value: mirror a log-uniform draw inside the range.
            value = c["min_value"] + c["max_value"] - value
        return value
    value = trial.suggest_float(key, c["min_value"], c["max_value"], step=c["step"])
    # min + k * step carries float noise (0.30000000000000004): show the step's value.
    return value if c["step"] is None else round(value, 12)


def trial_source(trial: Any):
    """The ``source`` a HyperParameters forwards to while ``trial`` runs."""
    return lambda entry: suggest(trial, entry)


def finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
