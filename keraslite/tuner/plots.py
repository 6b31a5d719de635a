"""Plots of a search, saved as PNG files with matplotlib: the optimization history (each
trial's score and the best so far) and the hyperparameters' importances (Optuna's
PED-ANOVA evaluator, which needs no scikit-learn)."""
from __future__ import annotations

import os
from typing import Any

import optuna

from keraslite.saving.atomic_io import atomic_writer
from keraslite.tuner import trial_records as records


def save_plots(oracle: Any, directory: str) -> list:
    """Writes optimization_history.png and param_importances.png; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    os.makedirs(directory, exist_ok=True)
    objective = oracle.objectives[0]
    done = sorted((r for r in oracle.trials.values()
                   if r.status in (records.COMPLETED, records.PRUNED) and r.score is not None),
                  key=lambda r: r.number)
    paths = []

    fig, ax = plt.subplots(figsize=(6, 4))
    numbers = [r.number for r in done]
    scores = [r.score[0] if isinstance(r.score, list) else r.score for r in done]
    best, running = [], None
    for score in scores:
        running = score if running is None or objective.better(score, running) else running
        best.append(running)
    ax.plot(numbers, scores, "o", label=objective.name)
    ax.plot(numbers, best, "-", label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel(objective.name)
    ax.set_title("Optimization history")
    ax.legend()
    paths.append(_save(fig, os.path.join(directory, "optimization_history.png")))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    importances = _importances(oracle)
    names = list(importances)[::-1]
    ax.barh(names, [importances[n] for n in names])
    ax.set_xlabel("importance")
    ax.set_title("Hyperparameter importances")
    fig.tight_layout()
    paths.append(_save(fig, os.path.join(directory, "param_importances.png")))
    plt.close(fig)
    return paths


def _importances(oracle: Any) -> dict:
    complete = [t for t in oracle.study.get_trials(deepcopy=False)
                if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 2 or oracle.multi_objective:
        return {}
    try:
        evaluator = optuna.importance.PedAnovaImportanceEvaluator()
        return optuna.importance.get_param_importances(oracle.study, evaluator=evaluator)
    except (ValueError, RuntimeError):  # e.g. every trial took the same values
        return {}


def _save(fig: Any, path: str) -> str:
    with atomic_writer(path) as handle:
        fig.savefig(handle, format="png", dpi=100)
    return path
