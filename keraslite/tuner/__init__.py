"""keraslite.tuner: KerasTuner's API over Optuna's samplers, pruners and storages.

``HyperParameters``, ``HyperModel`` and ``Objective`` are plain data; the tuners (which need the
``tuner`` extra: ``pip install keraslite[tuner]``) load on first use.

Example::

    def build_model(hp):
        model = keraslite.Sequential([
            keraslite.layers.Dense(hp.Int("units", 16, 128, step=16), activation="relu"),
            keraslite.layers.Dense(10, activation="softmax")])
        model.compile(keraslite.optimizers.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")),
                      "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    tuner = keraslite.tuner.RandomSearch(build_model, "val_accuracy", max_trials=20)
    tuner.search(x, y, epochs=5, validation_data=(x_val, y_val))
    best = tuner.get_best_models(1)[0]
"""
from __future__ import annotations

import importlib

from keraslite.tuner.hypermodel import HyperModel
from keraslite.tuner.hyperparameters import HyperParameters
from keraslite.tuner.objective import Objective

_LAZY = {
    "Tuner": "keraslite.tuner.tuner",
    "SearchSpaceChangedError": "keraslite.tuner.tuner",
    "FailedTrialsError": "keraslite.tuner.oracle",
    "Oracle": "keraslite.tuner.oracle",
    "TrialRecord": "keraslite.tuner.trial_records",
    "RandomSearch": "keraslite.tuner.tuners",
    "GridSearch": "keraslite.tuner.tuners",
    "BayesianOptimization": "keraslite.tuner.tuners",
    "Hyperband": "keraslite.tuner.tuners",
}

__all__ = ["HyperModel", "HyperParameters", "Objective", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keraslite.tuner' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
