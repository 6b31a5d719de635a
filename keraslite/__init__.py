"""keraslite: the Keras API over swappable JAX and TensorFlow backends.

Pick the backend with ``KERASLITE_BACKEND=jax|tensorflow`` (default ``jax``) before import.
Submodules load on first use, so ``import keraslite`` stays cheap.
"""
from __future__ import annotations

import importlib

from keraslite import config as _config  # validates KERASLITE_BACKEND at import

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "applications", "backend", "callbacks", "config", "constraints", "datasets",
    "dtype_policies", "initializers", "layers", "losses", "metrics", "mixed_precision", "models",
    "distribution", "export", "ops", "optimizers", "preprocessing",
    "random", "regularizers", "saving", "tree", "tuner", "utils", "automl",
    "visualization", "wrappers",
)
_NAMES = {
    "Model": "keraslite.models",
    "Sequential": "keraslite.models",
    "Input": "keraslite.layers",
    "InputSpec": "keraslite.layers",
    "Layer": "keraslite.layers",
    "Variable": "keraslite.variables",
    "StatelessScope": "keraslite.variables",
    "KerasTensor": "keraslite.ops.keras_tensor",
    "Loss": "keraslite.losses",
    "Metric": "keraslite.metrics",
    "Optimizer": "keraslite.optimizers",
    "Initializer": "keraslite.initializers",
    "Regularizer": "keraslite.regularizers",
    "DTypePolicy": "keraslite.dtype_policies",
    "FloatDTypePolicy": "keraslite.dtype_policies",
    "name_scope": "keraslite.utils.scopes",
    "SymbolicScope": "keraslite.utils.scopes",
    "RematScope": "keraslite.utils.scopes",
    "device": "keraslite.backend",
    "remat": "keraslite.backend",
    "Function": "keraslite.models.function",
    "Operation": "keraslite.models.function",
}


def version() -> str:
    """The keraslite version string, as ``keras.version()`` gives Keras's."""
    return __version__


def __getattr__(name):
    if name in _SUBMODULES:
        try:
            return importlib.import_module(f"keraslite.{name}")
        except ModuleNotFoundError as error:
            # A listed submodule this installation lacks (e.g. ``applications`` not shipped
            # yet) is a missing attribute, so ``hasattr`` answers False. A module missing
            # *inside* an existing submodule (a broken dependency) still raises as it is.
            if error.name != f"keraslite.{name}":
                raise
            raise AttributeError(
                f"module 'keraslite' has no attribute {name!r} (keraslite.{name} is not "
                "available in this installation)"
            ) from None
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'keraslite' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + list(_NAMES))
