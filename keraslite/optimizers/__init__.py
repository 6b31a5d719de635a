"""Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, Adamax, Nadam, Adadelta, Lion, Ftrl,
LossScaleOptimizer), learning-rate ``schedules`` and ``get``.

Example::

    opt = keraslite.optimizers.get("adam")
    opt.apply(grads, model.trainable_variables)
"""
from __future__ import annotations

from keraslite.optimizers import schedules
from keraslite.optimizers.adam import Adam, AdamW
from keraslite.optimizers.loss_scale_optimizer import LossScaleOptimizer
from keraslite.optimizers.more import Adadelta, Adamax, Ftrl, Lion, Nadam
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.rmsprop import Adagrad, RMSprop
from keraslite.optimizers.sgd import SGD

_CLASSES = (SGD, Adam, AdamW, RMSprop, Adagrad, Adamax, Nadam, Adadelta, Lion, Ftrl,
            LossScaleOptimizer)
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({cls.__name__.lower(): cls for cls in _CLASSES})


def serialize(optimizer) -> dict:
    return {"module": "keraslite.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> Optimizer:
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name) or ALL_OBJECTS.get(str(name).lower())
    if cls is None:
        raise ValueError(_unknown(name))
    return cls.from_config(dict(config.get("config") or {}), custom_objects)


def get(identifier) -> Optimizer:
    """An optimizer from a name ("adam", "sgd", ...), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier) or ALL_OBJECTS.get(identifier.lower())
        if cls is None:
            raise ValueError(_unknown(identifier))
        if cls is LossScaleOptimizer:
            raise ValueError("LossScaleOptimizer wraps another optimizer: create it with "
                             "LossScaleOptimizer(inner_optimizer) instead of by name.")
        return cls()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Pass a name, a config dict "
        "or an Optimizer instance."
    )


def _unknown(name) -> str:
    valid = sorted(k for k in ALL_OBJECTS if k == k.lower() and k != "lossscaleoptimizer")
    return f"Unknown optimizer: {name!r}. Valid names: {', '.join(valid)}."


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam",
           "Adadelta", "Lion", "Ftrl", "LossScaleOptimizer", "schedules", "get",
           "serialize", "deserialize"]
