"""Optimizer state in Keras 3's layout (the ``optimizer/vars/<i>`` group of model.weights.h5).

Keras 3 stores ``iterations``, ``learning_rate``, then, for each trainable variable in turn, that
variable's slots in the optimizer's slot order (Adam: momentum, velocity) interleaved. keraslite
keeps the same values grouped by slot (``optimizer.variables``: iterations, learning rate, then
every variable's first slot, then every variable's second slot, ...). Both directions are here.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from keraslite.optimizers.optimizer import Optimizer


def keras_order(optimizer: Optimizer) -> list[Any] | None:
    """The optimizer's Variables in Keras 3's storage order: iterations, learning rate, the EMA
    averages (``use_ema``) and the gradient accumulators (``gradient_accumulation_steps``) of
    each variable, then each variable's slots. None if its state has a part Keras lays out
    differently (optimizer-wide extras such as Nadam's momentum product)."""
    from keraslite.variables import Variable

    if optimizer._extra_variables():
        return None
    out = [optimizer._iterations]
    learning_rate = optimizer._learning_rate
    if not isinstance(learning_rate, Variable):
        return None  # a schedule: Keras stores no learning-rate variable either way
    out.append(learning_rate)
    out.extend(optimizer._ema)
    out.extend(optimizer._accumulators)
    slots = [optimizer._slots.get(name, []) for name in optimizer.slot_names]
    for index in range(len(optimizer._trainable_variables)):
        out.extend(slot[index] for slot in slots)
    return out


def restore(optimizer: Optimizer, arrays: list[np.ndarray], source: str) -> bool:
    """Assigns Keras-ordered ``arrays`` to the optimizer's Variables; warns and changes nothing
    when they do not line up (count or shapes), as Keras does for a mismatched optimizer."""
    variables = keras_order(optimizer)
    problem = None
    if variables is None:
        problem = f"keraslite's {type(optimizer).__name__} keeps state Keras lays out differently"
    elif len(variables) != len(arrays):
        problem = (f"the file holds {len(arrays)} optimizer variables; the model's "
                   f"{type(optimizer).__name__} has {len(variables)}")
    else:
        for i, (variable, array) in enumerate(zip(variables, arrays)):
            if tuple(variable.shape) != tuple(array.shape):
                problem = (f"optimizer variable {i} has shape {tuple(array.shape)} in the file "
                           f"and {tuple(variable.shape)} in the model")
                break
    if problem is not None:
        warnings.warn(f"{source}: the optimizer state was not restored ({problem}); training "
                      "starts from a fresh optimizer state.", stacklevel=3)
        return False
    assert variables is not None
    for variable, array in zip(variables, arrays):
        variable.assign(np.asarray(array).astype(np.dtype(variable.dtype)))
    return True


def arrays_in_keras_order(optimizer: Optimizer) -> list[np.ndarray] | None:
    """The optimizer state as Keras 3 writes it, or None when it cannot be laid out that way."""
    variables = keras_order(optimizer)
    if variables is None:
        return None
    return [np.asarray(v.numpy()) for v in variables]
