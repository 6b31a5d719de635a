"""Sizes that cannot be allocated, refused before anything is allocated or compiled.

Two checks share this module:

* always: an argument that sets an axis (``units``, ``filters``, ``num_tokens``, ``n``, ...)
  is at most ``MAX_DIMENSION``, and one weight or one example's output is at most
  ``MAX_ARRAY_BYTES``. Past these XLA aborts the whole process (``CategoryEncoding(
  num_tokens=10**12)`` died in a CHECK inside XLA on the first ``predict``) and TensorFlow fails
  with negative dimensions, so they must be a ValueError at construction or build time;
* inside ``allocation_budget`` (while loading a model file): a model file's weights must cover
  every variable its config creates, so a config asking for more variable memory than the file
  holds is refused as each weight is created, before its initializer allocates anything.
"""
from __future__ import annotations

import contextlib
import math
import threading

import numpy as np

_state = threading.local()

# One axis: the int32 range, which TensorFlow's shape ops and XLA's indexing use.
MAX_DIMENSION = 2**31 - 1
# One weight, or one example's output: 1 TiB, past any memory a model can be given.
MAX_ARRAY_BYTES = 2**40


def check_dimension(owner: str, argument: str, value: int) -> int:
    """``value`` if it can be the length of an axis; a ValueError naming ``owner`` otherwise."""
    if value > MAX_DIMENSION:
        raise ValueError(f"{owner}: argument `{argument}` is {value:,}, larger than any axis "
                         f"can be (at most {MAX_DIMENSION:,}); the arrays it sizes could not be "
                         "allocated.")
    return value


def _nbytes(shape, dtype) -> int:
    itemsize = np.dtype(dtype if dtype != "bfloat16" else "float16").itemsize
    return math.prod(int(d) for d in shape if d is not None) * itemsize


def check_array(owner: str, what: str, shape, dtype) -> None:
    """Refuses an array (a weight, one example's output) that could never be allocated.

    Unknown (None) axes, such as the batch, count as 1."""
    for dim in shape:
        if dim is not None and int(dim) > MAX_DIMENSION:
            raise ValueError(f"{owner}: {what} would have shape {tuple(shape)}; an axis of "
                             f"{int(dim):,} is larger than any axis can be (at most "
                             f"{MAX_DIMENSION:,}).")
    size = _nbytes(shape, dtype)
    if size > MAX_ARRAY_BYTES:
        raise ValueError(f"{owner}: {what} would have shape {tuple(shape)} ({size:,} bytes "
                         f"{'per example' if None in tuple(shape) else 'in all'}), more than "
                         f"the {MAX_ARRAY_BYTES:,} bytes any array may take; it could not be "
                         "allocated. Check the size arguments of the layer.")


def check_outputs(owner: str, outputs) -> None:
    """``check_array`` on every symbolic output of a layer call (a flat list or one tensor)."""
    for output in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
        shape, dtype = getattr(output, "shape", None), getattr(output, "dtype", None)
        if shape is not None and dtype is not None:
            check_array(owner, "its output", shape, dtype)


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
    """Refuses a variable that cannot be allocated, and counts it against the active budget."""
    check_array(f"Weight '{owner}'", "it", shape, dtype)
    budget = getattr(_state, "budget", None)
    if budget is None:
        return
    from keraslite.saving.errors import UnsafeFileError

    size = _nbytes(shape, dtype)
    budget[1] += size
    if budget[1] > budget[0]:
        raise UnsafeFileError(
            f"{budget[2]}: the model config asks for at least {budget[1]:,} bytes of weights "
            f"(reached at '{owner}', shape {tuple(shape)}), more than the {budget[0]:,} the file "
            "holds. The config does not match its weights; the file was refused before "
            "allocating them."
        )
