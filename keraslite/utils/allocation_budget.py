"""A cap on the bytes of variables created inside a block (used while loading a model file).

A model file's weights must cover every variable its config creates, so a config asking for
more variable memory than the file holds is refused as each weight is created, before its
initializer allocates anything: a crafted ``Dense(units=10**8)`` fails fast instead of
allocating gigabytes first.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

_state = threading.local()


@contextlib.contextmanager
def allocation_budget(max_bytes: int, source: str):
    """Within the block, creating variables totalling more than ``max_bytes`` raises."""
    previous = getattr(_state, "budget", None)
    _state.budget = [int(max_bytes), 0, source]
    try:
        yield
    finally:
        _state.budget = previous


def charge(shape, dtype, owner: str):
    """Counts a new variable against the active budget, if any."""
    budget = getattr(_state, "budget", None)
    if budget is None:
        return
    from keraslite.saving.errors import UnsafeFileError

    size = int(np.prod([int(d) for d in shape], dtype=object)) * np.dtype(
        dtype if dtype != "bfloat16" else "float16").itemsize
    budget[1] += size
    if budget[1] > budget[0]:
        raise UnsafeFileError(
            f"{budget[2]}: the model config asks for at least {budget[1]:,} bytes of weights "
            f"(reached at '{owner}', shape {tuple(shape)}), more than the {budget[0]:,} the file "
            "holds. The config does not match its weights; the file was refused before "
            "allocating them."
        )
