"""Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, Adamax, Nadam, Adadelta, Lion, Ftrl,
LossScaleOptimizer), learning-rate ``schedules`` and ``get``.

Example::

    opt = keraslite.optimizers.get("adam")
    opt.apply(grads, model.trainable_variables)
"""
from __future__ import annotations

from keraslite.optimizers import schedules
from keraslite.optimizers.adadelta import Adadelta
from keraslite.optimizers.adafactor import Adafactor
from keraslite.optimizers.adam import Adam, AdamW
from keraslite.optimizers.adam_variants import Adamax, Nadam
from keraslite.optimizers.ftrl import Ftrl
from keraslite.optimizers.lamb import Lamb
from keraslite.optimizers.lion import Lion
from keraslite.optimizers.loss_scale_optimizer import LossScaleOptimizer
from keraslite.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from keraslite.optimizers.muon import Muon
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.rmsprop import Adagrad, RMSprop
from keraslite.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from keraslite.optimizers.sgd import SGD
from keraslite.utils.registry import ObjectRegistry

_CLASSES = (SGD, Adam, AdamW, RMSprop, Adagrad, Adamax, Nadam, Adadelta, Lion, Ftrl,
            LossScaleOptimizer, Lamb, Adafactor, Muon, ScheduleFreeAdamW, MultiOptimizer)
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({cls.__name__.lower(): cls for cls in _CLASSES})


_REGISTRY = ObjectRegistry(
    "optimizer", "keraslite.optimizers", ALL_OBJECTS, Optimizer, ignore_case=True,
    lowercase_listing=True, accept_callables=False, allow_none=False,
    refused_by_name={LossScaleOptimizer: "LossScaleOptimizer wraps another optimizer: create it "
                                         "with LossScaleOptimizer(inner_optimizer) instead of by "
                                         "name.",
                     MultiOptimizer: "MultiOptimizer needs an OptimizerMap: create it with "
                                     "MultiOptimizer(OptimizerMap(...)) instead of by name."},
    interpret_hint=". Pass a name, a config dict or an Optimizer instance.",
    config_takes_custom_objects=True,
)


def serialize(optimizer):
    """``optimizer`` as a JSON-ready config (Keras's parameter name)."""
    return _REGISTRY.serialize(optimizer)


deserialize = _REGISTRY.deserialize
get = _REGISTRY.get  # a name ("adam", "sgd", ...), a config dict or an instance


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam",
           "Adadelta", "Lion", "Ftrl", "LossScaleOptimizer", "Lamb", "Adafactor", "Muon",
           "ScheduleFreeAdamW", "MultiOptimizer", "OptimizerMap", "schedules", "get",
           "serialize", "deserialize"]
