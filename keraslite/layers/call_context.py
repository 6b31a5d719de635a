"""The context of the layer call in progress: the ``training`` flag, the dtype float variables are
read in (mixed precision), and the mask table of the outermost call."""
from __future__ import annotations

import threading

from keraslite import variables as variables_module
from keraslite.utils.keras_mask import get_keras_mask, set_keras_mask

_context = threading.local()

def outermost_call() -> bool:
    """True when no layer call is in progress (the next call is the outermost one)."""
    return not getattr(_context, "depth", 0)


def current_training() -> bool | None:
    """The ``training`` flag of the outermost call in progress (None outside any call)."""
    return getattr(_context, "training", None)


class _TrainingContext:
    """State of the layer call in progress: the ``training`` flag, the dtype float variables
    are read in (mixed precision), and, for the outermost call, the mask table.

    Masks travel beside tensors, not on them (backend arrays take no attributes): a layer's
    output mask is recorded under the output's id, and a later layer called on that output
    inside the same outermost call receives it as ``mask=``. This serves functional,
    Sequential and subclassed models alike."""

    def __init__(self, training, autocast_dtype=None):
        self.training = training
        self.autocast_dtype = autocast_dtype

    def __enter__(self):
        self.previous = getattr(_context, "training", None)
        self.previous_autocast = variables_module.autocast_dtype()
        _context.training = self.training
        variables_module.set_autocast_dtype(self.autocast_dtype)
        depth = getattr(_context, "depth", 0)
        if depth == 0:
            _context.masks = {}
        _context.depth = depth + 1

    def __exit__(self, *exc):
        _context.training = self.previous
        variables_module.set_autocast_dtype(self.previous_autocast)
        _context.depth -= 1
        if _context.depth == 0:
            _context.masks = None


def _lookup_mask(x):
    table = getattr(_context, "masks", None)
    entry = table.get(id(x)) if table else None
    if entry is not None and entry[0] is x:
        return entry[1]
    return get_keras_mask(x)  # the output of an earlier outermost call


def attach_output_masks(outputs) -> None:
    """At the end of an outermost call: each output takes its mask along as ``_keras_mask``."""
    table = getattr(_context, "masks", None)
    if not table:
        return
    for out in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
        entry = table.get(id(out))
        if entry is not None and entry[0] is out:
            set_keras_mask(out, entry[1])


def _input_masks(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [_lookup_mask(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return _lookup_mask(inputs)


def _record_masks(outputs, mask):
    table = getattr(_context, "masks", None)
    if mask is None or table is None:
        return
    if isinstance(outputs, (list, tuple)) and isinstance(mask, (list, tuple)):
        for out, m in zip(outputs, mask):
            if m is not None:
                table[id(out)] = (out, m)
    elif not isinstance(outputs, (list, tuple, dict)):
        table[id(outputs)] = (outputs, mask)


def _record_symbolic_masks(outputs, mask) -> None:
    """Attaches the described mask(s) to the KerasTensor output(s) of a functional call."""
    if mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        if isinstance(mask, (list, tuple)):
            for out, m in zip(outputs, mask):
                if m is not None:
                    set_keras_mask(out, m)
        return
    if not isinstance(outputs, dict) and not isinstance(mask, (list, tuple, dict)):
        set_keras_mask(outputs, mask)

