"""Full training batches in arrays of one size, for many short fits of the same architectures.

``fit`` compiles one loop per batch size and per shape of the data it holds on the device: the
full batches', the last smaller batch's, and both again for data of another length. An AutoML
search fits each configuration for a few epochs on the training split, then refits the best
ones on all the rows, so most of its time went to compiling those loops (a three-trial search
on a 569-row table: 18 programs). Inside ``full_batches(rows)`` a ``fit``'s training epochs

- run full batches only: the last batch of an epoch is completed with the first rows of the
  same epoch's order (as a repeated, batched dataset would), so no loop for a smaller batch;
- hold the data in arrays of ``rows`` rows (zeros below the real rows, which no batch reads),
  with an order of as many batches as ``rows`` fills, so a fit on the training split and a
  refit on all the rows run the same program.

It changes which rows an epoch sees (up to ``batch_size - 1`` rows twice), so it is not
``fit``'s default; keraslite.automl turns it on for its trials and refits.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import numpy as np

_local = threading.local()


class BatchLayout:
    """Training data held in arrays of ``rows`` rows, every batch full."""

    def __init__(self, rows: int):
        self.rows = int(rows)

    def order_length(self, batch_size: int, num_samples: int) -> int:
        """The length of every epoch's order: as many whole batches as the rows fill."""
        return -(-max(self.rows, num_samples) // batch_size) * batch_size

    def pad_rows(self, array: np.ndarray) -> np.ndarray:
        """``array`` with zero rows appended up to ``rows`` rows."""
        missing = self.rows - array.shape[0]
        if missing <= 0:
            return array
        return np.concatenate([array, np.zeros((missing,) + array.shape[1:], array.dtype)])

    def order(self, order: np.ndarray, batch_size: int, steps: int) -> np.ndarray:
        """An epoch's ``order`` for ``steps`` full batches (the last completed with the order's
        first rows), then zeros up to ``order_length``."""
        needed = steps * batch_size
        if needed > len(order):
            order = np.concatenate([order, np.resize(order, needed - len(order))])
        length = self.order_length(batch_size, len(order))
        return np.concatenate([order, np.zeros(length - len(order), order.dtype)])


@contextlib.contextmanager
def full_batches(rows: int) -> Iterator[BatchLayout]:
    """Inside this block (this thread), ``fit`` trains on full batches held in arrays of
    ``rows`` rows (see the module docstring)."""
    previous = getattr(_local, "layout", None)
    _local.layout = layout = BatchLayout(rows)
    try:
        yield layout
    finally:
        _local.layout = previous


def current() -> BatchLayout | None:
    """The layout ``fit``'s training data takes here, or None (Keras's batches)."""
    return getattr(_local, "layout", None)
