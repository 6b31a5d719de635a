"""AutoModel: searches a graph of blocks with keraslite.tuner, refits the best, exports it."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite import backend as backend_api
from keraslite.automl.ensemble import average_models, refit_members
from keraslite.automl.graph import Graph
from keraslite.automl.multi_io import HeadGroup
from keraslite.automl.search import SizeLimited, check_tuner, make_tuner
from keraslite.training.batch_layout import full_batches
from keraslite.training.data import check_positive_int
from keraslite.utils.random_seed import set_random_seed


# Data up to this many rows counts as small: the validation split that ranks the trials holds
# a fifth of it, a few hundred rows at most, and the refit averages the best configurations.
SMALL_DATA_ROWS = 5000


def _length(value: Any) -> int:
    if isinstance(value, dict):  # a table: one array per column
        return _length(next(iter(value.values()))) if value else 0
    if hasattr(value, "shape") and hasattr(value, "iloc"):  # a pandas object
        return int(value.shape[0])
    return int(np.shape(value)[0]) if np.ndim(value) else 0


def _take(x: Any, index: np.ndarray) -> Any:
    return {k: v[index] for k, v in x.items()} if isinstance(x, dict) else x[index]


def _concat(a: Any, b: Any) -> Any:
    if isinstance(a, dict):
        return {k: np.concatenate([a[k], b[k]]) for k in a}
    return np.concatenate([a, b])


# Validation data up to this size is evaluated in one batch (one compiled evaluation loop per
# trial, instead of one for the full batches and one for the last, smaller batch).
ONE_BATCH_VALIDATION_BYTES = 32 << 20
ONE_BATCH_VALIDATION_ROWS = 4096


def _validation_batch_size(x_val: Any, batch_size: int) -> int:
    """All of ``x_val``'s rows when they are few and small, else ``batch_size``."""
    rows = _length(x_val)
    arrays = list(x_val.values()) if isinstance(x_val, dict) else [x_val]
    nbytes = sum(np.asarray(a).nbytes for a in arrays)
    if rows <= ONE_BATCH_VALIDATION_ROWS and nbytes <= ONE_BATCH_VALIDATION_BYTES:
        return max(rows, 1)
    return batch_size


def validation_indices(y: Any, fraction: float, seed: Optional[int],
                       stratify: bool) -> tuple:
    """(validation, training) row indices: ``fraction`` of the rows, at random; with
    ``stratify``, the same fraction of every class (``y``: class indices or one-hot rows), so a
    small or unbalanced data set's validation score (which picks the best trial and its epoch
    count) is not skewed by a split that happens to hold few samples of some class."""
    count = _length(y)
    rng = np.random.default_rng(seed)
    if not stratify:
        order = rng.permutation(count)
        size = max(1, int(round(count * fraction)))
        return order[:size], order[size:]
    labels = np.asarray(y)
    labels = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 else \
        labels.reshape(count)
    validation = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        validation.append(rows[:int(round(len(rows) * fraction))])
    validation = np.concatenate(validation)
    if len(validation) == 0:  # tiny data: at least one validation row, as without classes
        validation = rng.permutation(count)[:1]
    validation = rng.permutation(validation)
    training = rng.permutation(np.setdiff1d(np.arange(count), validation))
    return validation, training


def _targets(y: Any) -> Any:
    """A pandas Series or one-column DataFrame of targets as a NumPy array."""
    return y.to_numpy() if hasattr(y, "to_numpy") else y


class AutoModel:
    """Finds a network for ``inputs -> outputs`` (a graph of automl blocks).

    ``fit`` holds out ``validation_split`` of the data (or takes ``validation_data``), runs up
    to ``max_trials`` trials (the blocks' defaults and the ``initial_hps`` first, then the
    ``tuner`` strategy: "greedy"/"bayesian" = TPE, "random", "hyperband", or a keraslite Tuner
    class), each stopped early when the objective stops improving, stops starting trials when
    ``time_budget`` seconds would be exceeded, fails trials whose model has more than
    ``max_model_size`` parameters before training them, and refits the best configuration on
    all the data for the epochs the best trial needed. ``ensemble_size`` refits the best few
    configurations instead and averages their outputs (default: 3 for tables of up to
    ``SMALL_DATA_ROWS`` rows, whose validation split is too small to rank the top trials
    reliably, else 1; one head only). ``export_model()`` is then a plain keraslite model with
    the preprocessing inside.
    """

    # Epochs without improvement of the objective before a trial stops. Tasks whose epochs
    # are cheap (tables) wait longer: their validation loss is noisy from epoch to epoch.
    patience = 3
    # How many of the best configurations the refit averages on small data (ensemble.py).
    # Tables, whose members refit in seconds, average 3; other tasks refit one.
    small_data_ensemble = 1

    def __init__(self, inputs: Any, outputs: Any, max_trials: int = 10,
                 directory: Optional[str] = None, project_name: str = "auto_model",
                 objective: Any = "val_loss", overwrite: bool = False,
                 seed: Optional[int] = None, time_budget: Optional[float] = None,
                 tuner: Any = None, verbose: int = 1, max_model_size: Optional[int] = None,
                 initial_hps: Optional[list] = None,
                 ensemble_size: Optional[int] = None) -> None:
        check_tuner(tuner)
        ensemble_size = check_positive_int(ensemble_size, "ensemble_size", allow_none=True)
        if ensemble_size is not None and ensemble_size > 1 and len(_as_list(outputs)) > 1:
            raise ValueError("ensemble_size > 1 averages one output; this AutoModel has "
                             f"{len(_as_list(outputs))} heads. Received: ensemble_size="
                             f"{ensemble_size}")
        if max_model_size is not None and (isinstance(max_model_size, bool)
                                           or not isinstance(max_model_size, int)
                                           or max_model_size < 1):
            raise ValueError("max_model_size must be a positive number of parameters. "
                             f"Received: {max_model_size!r}")
        if time_budget is not None and (isinstance(time_budget, bool)
                                        or not isinstance(time_budget, (int, float))
                                        or time_budget <= 0):
            raise ValueError(f"time_budget must be a positive number of seconds. Received: "
                             f"{time_budget!r}")
        self.graph = Graph(_as_list(inputs), _as_list(outputs))
        self.max_trials = max_trials
        self.directory = directory or "."
        self.project_name = project_name
        self.objective = objective
        self.overwrite = overwrite
        self.seed = seed
        self.time_budget = time_budget
        self.verbose = verbose
        self.max_model_size = max_model_size
        self.ensemble_size = ensemble_size
        self.tuner_kind = tuner
        # Hand-picked configurations tried after the defaults: {hyperparameter name: value}.
        self.initial_hps = list(initial_hps or [])
        self.tuner: Any = None
        self._model: Any = None

    @property
    def _input(self) -> Any:
        return self.graph.input  # several inputs act as one (multi_io.InputGroup)

    @property
    def _head(self) -> Any:
        return self.graph.head

    def _prepare(self, x: Any, y: Any = None, what: str = "x") -> tuple:
        x = self._input.prepare(x, what)
        if y is None:
            return x, None
        y = _targets(self.graph.collect_targets(y))
        if _length(y) != _length(x):
            raise ValueError(f"x and y must have the same number of samples. Received "
                             f"{_length(x)} samples in x and {_length(y)} in y.")
        return x, self._head.encode(y)

    def fit(self, x: Any, y: Any, epochs: int = 100, validation_split: float = 0.2,
            validation_data: Any = None, callbacks: Optional[list] = None,
            batch_size: int = 32, verbose: int = 0) -> Any:
        """Searches, then refits the best model on all of ``x, y``; returns its History."""
        self._input.forget()  # a new fit may bring other columns or shapes
        x = self._input.prepare(x)
        y = _targets(self.graph.collect_targets(y))
        if _length(y) != _length(x):
            raise ValueError(f"x and y must have the same number of samples. Received "
                             f"{_length(x)} samples in x and {_length(y)} in y.")
        self._head.adapt(y)  # every check on the targets happens before any trial starts
        y = self._head.encode(y)
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val). Received: "
                                 f"{type(validation_data).__name__}")
            x_val, y_val = self._prepare(*validation_data, what="validation x")
            x_train, y_train = x, y
        else:
            if not 0.0 < validation_split < 1.0:
                raise ValueError("validation_split must be in (0, 1) when no validation_data "
                                 f"is given. Received: {validation_split!r}")
            val, train = validation_indices(y, validation_split, self.seed,
                                            getattr(self._head, "stratifies", False))
            x_train, y_train = _take(x, train), _take(y, train)
            x_val, y_val = _take(x, val), _take(y, val)
        self._input.adapt(x_train)
        objective = self.objective
        if objective == "val_loss" and getattr(self._head, "logs_data_loss", False):
            objective = "val_data_loss"  # the loss without L2 penalties (see heads.py)
        self.tuner = make_tuner(
            self.tuner_kind, SizeLimited(self.graph, self.max_model_size), epochs,
            time_budget=self.time_budget, initial_hps=self.initial_hps, patience=self.patience,
            objective=objective, max_trials=self.max_trials, seed=self.seed,
            directory=self.directory, project_name=self.project_name,
            overwrite=self.overwrite, verbose=self.verbose,
            # Trials refused by max_model_size fail at build time: let the search go on.
            max_consecutive_failed_trials=max(3, self.max_trials))
        # Trials and refits train on full batches held in arrays of the refit's row count
        # (training/batch_layout.py): a refit then reuses its trial's compiled loop, and no
        # loop is compiled for a last, smaller batch. The validation rows go in one batch
        # when small, one evaluation loop per trial instead of two.
        rows = _length(y_train) + _length(y_val)
        with full_batches(rows):
            self.tuner.search(x_train, y_train, epochs=epochs, batch_size=batch_size,
                              validation_data=(x_val, y_val),
                              validation_batch_size=_validation_batch_size(x_val, batch_size),
                              callbacks=callbacks, verbose=verbose)
            history = self._refit(x_train, y_train, x_val, y_val, epochs, batch_size,
                                  callbacks, verbose)
        return history

    def _refit(self, x_train: Any, y_train: Any, x_val: Any, y_val: Any, epochs: int,
               batch_size: int, callbacks: Optional[list], verbose: int) -> Any:
        """Refits on all the data, each configuration for as many epochs as its trial's best
        epoch: the best one, or on small data the best few, averaged (ensemble.py)."""
        x_all = _concat(x_train, x_val)
        y_all = _concat(y_train, y_val)
        members = self.tuner.oracle.get_best_trials(self._ensemble_size(_length(y_all)))
        if not members:
            raise RuntimeError("No trial finished; the errors are in "
                               "auto_model.tuner.oracle.trials[...].message.")
        self._input.adapt(x_all)

        def reset(index: int) -> None:
            # Names only: the tuner already freed each trial's model, and the members are
            # all kept; a full garbage collection costs about 0.4 s per member.
            backend_api.clear_session(free_memory=False)
            if self.seed is not None:
                set_random_seed(self.seed + index)

        def fit_member(model: Any, epochs: int) -> Any:
            return model.fit(x_all, y_all, epochs=epochs, batch_size=batch_size,
                             callbacks=callbacks, verbose=verbose)

        models, history = refit_members(members, self.graph.build, fit_member, reset)
        self._model = average_models(models, self._head.compile_args())
        return history

    def _ensemble_size(self, rows: int) -> int:
        """How many of the best configurations the refit averages: ``ensemble_size`` when
        given; else, for a single head, ``small_data_ensemble`` on data of at most
        ``SMALL_DATA_ROWS`` rows, and 1 otherwise."""
        if self.ensemble_size is not None:
            return self.ensemble_size
        if isinstance(self._head, HeadGroup) or rows > SMALL_DATA_ROWS:
            return 1
        return self.small_data_ensemble

    def _fitted(self) -> Any:
        if self._model is None:
            raise ValueError(f"{type(self).__name__} has not been fitted: call fit first.")
        return self._model

    def predict(self, x: Any, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """Predictions in the format of the fitted targets (labels for classification)."""
        model = self._fitted()
        x, _ = self._prepare(x)
        output = model.predict(x, batch_size=batch_size, verbose=verbose)
        return self._head.decode(np.asarray(output))

    def evaluate(self, x: Any, y: Any, batch_size: int = 32, verbose: int = 0) -> Any:
        """The loss and metrics of the refitted model on ``x, y``."""
        model = self._fitted()
        x, y = self._prepare(x, y)
        return model.evaluate(x, y, batch_size=batch_size, verbose=verbose)

    def export_model(self) -> Any:
        """The refitted model, taking raw data as ``predict`` does (``save``/``load_model`` give
        identical predictions): a plain functional model for images or series, or a
        ``HostPreprocessedModel`` (the network behind host steps) for text, tables and several
        inputs. See "What saves where" in docs/automl.md."""
        return self._fitted()


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]
