"""Tuner: the search loop behind KerasTuner's API (``search``, summaries, best models).

Each worker process runs the same script; the Oracle (one Optuna study) hands out trials. A
trial builds the model from its hyperparameters, trains it with a TrialCallback added to the
user's callbacks, saves the best epoch's weights, and releases the model before the next one.
"""
from __future__ import annotations

import gc
import math
import os
import time
import traceback
import warnings
from typing import Any, Optional

from keraslite import backend as backend_api
from keraslite.tuner import oracle as oracle_lib
from keraslite.tuner import storage as storage_lib
from keraslite.tuner import trial_records as records
from keraslite.tuner.display import SearchDisplay
from keraslite.tuner.engine import trial_source
from keraslite.tuner.hypermodel import as_hypermodel
from keraslite.tuner.hyperparameters import HyperParameters
from keraslite.tuner.objective import to_objectives
from keraslite.tuner.pruning import TrialCallback
from keraslite.utils.random_seed import set_random_seed

WEIGHTS_FILE = "best.weights.safetensors"


class SearchSpaceChangedError(ValueError):
    """The hypermodel's search space differs from the one the stored study was run with."""


class Tuner:
    """Base class of the tuners; subclasses choose the sampler, pruner and trial budget."""

    def __init__(self, hypermodel: Any, objective: Any = None, max_trials: int = 10,
                 sampler: Any = None, pruner: Any = None, executions_per_trial: int = 1,
                 max_retries_per_trial: int = 0, max_consecutive_failed_trials: int = 3,
                 seed: Optional[int] = None, directory: Optional[str] = None,
                 project_name: Optional[str] = None, overwrite: bool = False,
                 hyperparameters: Optional[HyperParameters] = None,
                 tune_new_entries: bool = True, allow_new_entries: bool = True,
                 storage: Optional[str] = None, verbose: int = 1,
                 heartbeat_interval: float = 10.0, lease_timeout: float = 60.0,
                 grid: Any = None, epochs: Optional[int] = None) -> None:
        if not isinstance(executions_per_trial, int) or executions_per_trial < 1:
            raise ValueError("executions_per_trial must be a positive int. "
                             f"Received: {executions_per_trial!r}")
        if hyperparameters is not None and not isinstance(hyperparameters, HyperParameters):
            raise TypeError("hyperparameters must be a HyperParameters. "
                            f"Received: {type(hyperparameters).__name__}")
        self.hypermodel = as_hypermodel(hypermodel)
        self.objectives = to_objectives(objective)
        self.objective = self.objectives[0] if len(self.objectives) == 1 else self.objectives
        self.executions_per_trial = executions_per_trial
        self.seed = seed
        self.verbose = verbose
        self.directory = directory or "."
        self.project_name = project_name or "untitled_project"
        self.project_dir = os.path.join(self.directory, self.project_name)
        self._preset = hyperparameters
        self._tune_new_entries = tune_new_entries
        self._allow_new_entries = allow_new_entries
        self._epochs = epochs  # Hyperband trains every trial for max_epochs
        self._storage_spec = storage_lib.resolve(storage, self.project_dir)
        self.oracle = oracle_lib.Oracle(
            self.objectives, max_trials, sampler, pruner, self._storage_spec,
            study_name=self.project_name, project_dir=self.project_dir, overwrite=overwrite,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            heartbeat_interval=heartbeat_interval, lease_timeout=lease_timeout,
            grid=grid, seed=seed)
        self._record_space()

    # -- the search space ---------------------------------------------------------------------
    def _new_hp(self, source: Any = None) -> HyperParameters:
        hp = HyperParameters()
        hp._source = source
        if self._preset is not None:
            hp._overrides = {e.name: e for e in self._preset.space}
            hp._fixed = {e.key: e.config["value"] for e in self._preset.space
                         if e.kind == "fixed"}
            if not self._tune_new_entries:
                hp._tunable = {e.name for e in self._preset.space}
            if not self._allow_new_entries:
                hp._allowed = {e.name for e in self._preset.space}
        return hp

    def _record_space(self) -> None:
        """Builds the default model once (record mode) and checks it against the stored space."""
        hp = self._new_hp()
        try:
            self._release(self.hypermodel.build(hp))
        except Exception as error:  # the search reports failing builds per trial
            warnings.warn(f"Building the default model failed ({type(error).__name__}: "
                          f"{error}); the search space is recorded as far as it got.")
        stored = self.oracle.stored_space()
        current = hp.space
        if stored is not None:
            known = {e.key: e for e in stored}
            changed = [e.key for e in current
                       if e.key in known and (known[e.key].kind, known[e.key].config)
                       != (e.kind, e.config)]
            added = [e.key for e in current if e.key not in known]
            where = (f"project '{self.project_name}' ({self._storage_spec.location})")
            if changed:
                raise SearchSpaceChangedError(
                    f"The search space changed since {where} was started: {changed} now have "
                    "different ranges or types. Pass overwrite=True to start over, or use "
                    "another project_name.")
            if added and not self._allow_new_entries:
                raise SearchSpaceChangedError(
                    f"The search space of {where} gained new hyperparameters {added}, and "
                    "allow_new_entries=False. Pass allow_new_entries=True to search them "
                    "from now on, overwrite=True to start over, or use another project_name.")
            current = stored + [e for e in current if e.key in added]
        self._space = current
        if stored is None or len(current) != len(stored):
            self.oracle.store_space(current)

    def _merge_space(self, hp: HyperParameters) -> None:
        known = {e.key for e in self._space}
        new = [e for e in hp.space if e.key not in known]
        if new:  # a conditional branch the default model did not take
            self._space = self._space + new
            self.oracle.store_space(self._space)

    def search_space_summary(self) -> None:
        """Prints the search space."""
        print("Search space summary")
        print(f"Default search space size: {len(self._space)}")
        for entry in self._space:
            print(entry.summary())

    # -- the search ---------------------------------------------------------------------------
    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        """Runs trials until ``max_trials`` are counted over all workers; takes ``fit``'s
        arguments (x, y, epochs, validation_data, callbacks, ...)."""
        x = fit_args[0] if fit_args else fit_kwargs.get("x")
        shape = getattr(x, "shape", None)
        if shape is not None and len(shape) >= 1:
            self.oracle.set_input_shape([None] + [int(d) for d in shape[1:]])
        display = SearchDisplay(self.verbose, self.oracle.max_trials,
                                " ".join(o.name for o in self.objectives))
        # Each trial ends with a full garbage collection (models hold reference cycles). What
        # lives before the search (the backend's modules, the data, this tuner) is not a trial's
        # garbage: frozen, the collector skips it, and a collection takes a fraction of the
        # time (0.3 s per collection on a 2-core machine before, with JAX loaded).
        gc.collect()
        gc.freeze()
        try:
            while True:
                active = self.oracle.start_trial()
                if active is None:
                    break
                try:
                    self._run_trial(active, display, fit_args, dict(fit_kwargs))
                finally:
                    active.heartbeat.stop()
                    self.oracle._active_ids.discard(active.number)
        finally:
            gc.unfreeze()

    def _run_trial(self, active: Any, display: SearchDisplay, fit_args: tuple,
                   fit_kwargs: dict) -> None:
        hp = self._new_hp(trial_source(active.trial))
        counted = sum(r.status in records.COUNTED for r in self.oracle.trials.values())
        started = time.time()
        best_score, best_cb = None, None
        scores, pruned, model, callback = [], False, None, None
        user_callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        try:
            for execution in range(self.executions_per_trial):
                if self.seed is not None:
                    set_random_seed(self.seed + active.number * self.executions_per_trial
                                    + execution)
                model = self.hypermodel.build(hp)
                if execution == 0:
                    self._merge_space(hp)
                    display.trial_start(active.number, counted, hp.values)
                reporter = active.trial if execution == 0 and len(self.objectives) == 1 else None
                callback = TrialCallback(self.objectives, reporter, display)
                kwargs = dict(fit_kwargs, callbacks=user_callbacks + [callback])
                if self._epochs is not None:
                    kwargs["epochs"] = self._epochs
                if display.verbose:
                    kwargs.setdefault("verbose", 0)
                result = self.hypermodel.fit(hp, model, *fit_args, **kwargs)
                score = self._score(result, callback)
                scores.append(score)
                first = score[0] if isinstance(score, list) else score
                if best_score is None or self.objectives[0].better(first, best_score):
                    best_score, best_cb = first, callback
                    self._save_weights(model, callback, active.number)
                pruned = pruned or callback.pruned
                self._release(model, user_callbacks + [callback])
                model = None
                if pruned:
                    break
            final = self._mean(scores)
            attrs = self._attrs(hp, best_cb)
            self.oracle.complete(active, final, attrs, pruned)
            status = records.PRUNED if pruned else records.COMPLETED
            self._end_display(display, active.number, status, final, started)
        except oracle_lib.FailedTrialsError:
            raise
        except Exception as error:
            self._release(model, user_callbacks + ([callback] if callback else []))
            message = "".join(traceback.format_exception(type(error), error,
                                                          error.__traceback__)[-8:])
            self._end_display(display, active.number, records.FAILED, None, started,
                              f"{type(error).__name__}: {error}")
            self.oracle.fail(active, message, self._attrs(hp, callback))

    def _end_display(self, display: SearchDisplay, number: int, status: str, score: Any,
                     started: float, message: Optional[str] = None) -> None:
        if not display.verbose:
            return
        best = self.oracle.get_best_trials(1)
        display.trial_end(number, status, score, best[0].score if best else None,
                          time.time() - started, message)

    def _attrs(self, hp: HyperParameters, callback: Optional[TrialCallback]) -> dict:
        attrs = {records.VALUES_ATTR: hp.values, records.KEYED_ATTR: hp.keyed_values()}
        if callback is not None:
            attrs[records.METRICS_ATTR] = callback.history
            attrs[records.BEST_STEP_ATTR] = callback.best_step
        return attrs

    def _score(self, result: Any, callback: TrialCallback) -> Any:
        """The objective value(s) of one execution, from what ``fit`` returned."""
        history = getattr(result, "history", None)
        if isinstance(history, dict):
            result = history
        if isinstance(result, (int, float)) and not isinstance(result, bool):
            if len(self.objectives) > 1:
                raise ValueError(f"HyperModel.fit returned one number, but the search has "
                                 f"{len(self.objectives)} objectives: return a dict or list.")
            values = [float(result)]
        elif isinstance(result, (list, tuple)):
            if len(result) != len(self.objectives):
                raise ValueError(f"HyperModel.fit returned {len(result)} values for "
                                 f"{len(self.objectives)} objectives.")
            values = [float(v) for v in result]
        elif isinstance(result, dict):
            values = []
            for objective in self.objectives:
                if objective.name not in result:
                    raise ValueError(
                        f"The objective '{objective.name}' is not among the metrics the trial "
                        f"reported: {sorted(result)}. Pass validation_data (for val_ metrics) "
                        "or compile the model with that metric.")
                value = result[objective.name]
                values.append(objective.best_of(value) if isinstance(value, (list, tuple))
                              else float(value))
        elif result is None and callback.best_value is not None:
            values = [callback.best_value]
        else:
            raise TypeError("HyperModel.fit must return a History, a number, a dict or a list. "
                            f"Received: {type(result).__name__}")
        for objective, value in zip(self.objectives, values):
            if not math.isfinite(value):
                raise FloatingPointError(f"The objective '{objective.name}' is {value} (the "
                                         "model diverged); the trial is recorded as failed.")
        return values if len(self.objectives) > 1 else values[0]

    @staticmethod
    def _mean(scores: list) -> Any:
        if isinstance(scores[0], list):
            return [sum(column) / len(column) for column in zip(*scores)]
        return sum(scores) / len(scores)

    def _trial_dir(self, number: int) -> str:
        return os.path.join(self.project_dir, f"trial_{number:04d}")

    def _save_weights(self, model: Any, callback: TrialCallback, number: int) -> None:
        if not hasattr(model, "save_weights") or not getattr(model, "built", True):
            return  # a custom HyperModel may build something other than a model
        if callback.best_weights is not None:
            model.set_weights(callback.best_weights)
        os.makedirs(self._trial_dir(number), exist_ok=True)
        # save_weights writes a temporary file and renames it: never a half-written file.
        model.save_weights(os.path.join(self._trial_dir(number), WEIGHTS_FILE))

    @staticmethod
    def _release(model: Any, callbacks: tuple = ()) -> None:
        """Drops a trial's model and what refers to it, so its arrays and compiled steps go."""
        for callback in callbacks:
            if hasattr(callback, "set_model"):
                callback.set_model(None)
        del model
        backend_api.clear_session(free_memory=True)  # resets names and collects garbage once

    # -- results ------------------------------------------------------------------------------
    def get_best_hyperparameters(self, num_trials: int = 1) -> list:
        """The hyperparameters of the best trials, best first."""
        return [r.hyperparameters for r in self.oracle.get_best_trials(num_trials)]

    def get_best_models(self, num_models: int = 1) -> list:
        """The best trials' models, rebuilt and loaded with each trial's best weights."""
        models = []
        for record in self.oracle.get_best_trials(num_models):
            path = os.path.join(self._trial_dir(record.number), WEIGHTS_FILE)
            if not os.path.isfile(path):
                raise ValueError(f"Trial {record.trial_id}'s weights are not at {path!r} (a "
                                 "trial run on another machine saves its weights there).")
            model = self.hypermodel.build(record.hyperparameters.copy())
            shape = self.oracle.input_shape()
            if not getattr(model, "built", True) and shape is not None:
                model.build(tuple(shape))
            model.load_weights(path)
            models.append(model)
        return models

    def results_summary(self, num_trials: int = 10) -> None:
        """Prints the best trials."""
        print("Results summary")
        print(f"Results in {self.project_dir}")
        print(f"Showing {num_trials} best trials")
        print(self.objective)
        for record in self.oracle.get_best_trials(num_trials):
            print()
            print(record.summary())

    def dashboard_command(self) -> str:
        """The shell command that opens this study in optuna-dashboard."""
        return f"optuna-dashboard {self._storage_spec.dashboard_argument}"

    def plot(self, directory: Optional[str] = None) -> list:
        """Saves the optimization history and parameter importances as PNG files."""
        from keraslite.tuner import plots

        return plots.save_plots(self.oracle, directory or self.project_dir)
