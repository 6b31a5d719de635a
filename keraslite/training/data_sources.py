"""Batch sources for fit/evaluate/predict beyond in-memory arrays.

Accepted like Keras: a Python generator or iterator of batches (used once, so it should be
infinite for several epochs, or give ``steps_per_epoch``), any re-iterable of batches, a
``keraslite.utils.PyDataset``, and a ``tf.data.Dataset`` (read through its NumPy iterator, so it
also feeds the JAX backend; TensorFlow is only touched because the user made the dataset).

A batch is ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``; ``x`` and ``y`` may be
arrays or lists/dicts of arrays.
"""
from __future__ import annotations

import itertools
import types

import numpy as np

from keraslite.training.data import ArrayData, is_pandas
from keraslite.utils import tree


def is_stream(x) -> bool:
    """True for sources of batches; False for arrays and lists/dicts of arrays."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)):
        return False
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return False  # a backend tensor
    if is_pandas(x):
        return False  # a DataFrame or Series is one array (iterating it gives column names)
    from keraslite.utils.py_dataset import PyDataset

    return isinstance(x, PyDataset) or _is_tf_dataset(x) or hasattr(x, "__next__") or hasattr(
        x, "__iter__"
    )


def _is_tf_dataset(x) -> bool:
    return type(x).__module__.startswith("tensorflow") and hasattr(x, "as_numpy_iterator")


def make_source(x, what):
    from keraslite.utils.py_dataset import PyDataset

    if isinstance(x, PyDataset):
        return PyDatasetSource(x)
    if _is_tf_dataset(x):
        return TFDataSource(x)
    if isinstance(x, types.GeneratorType) or hasattr(x, "__next__"):
        return IteratorSource(x)
    return IterableSource(x)


def unpack(batch, what):
    """``(x, y, sample_weight)`` from one batch, Keras's rules."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        return batch, None, None
    if len(batch) == 1:
        return batch[0], None, None
    if len(batch) == 2:
        return batch[0], batch[1], None
    if len(batch) == 3:
        return batch
    raise ValueError(
        f"Each batch given to {what}() must be x, (x,), (x, y) or (x, y, sample_weight). "
        f"Received a tuple of {len(batch)} elements: {tree.describe(batch)}"
    )


def batch_data(batch, what) -> ArrayData:
    x, y, sw = unpack(batch, what)
    return ArrayData(x, y, sw, what=what)


class PyDatasetSource:
    def __init__(self, dataset):
        self.dataset = dataset
        try:
            self.length = len(dataset)
        except NotImplementedError as e:
            raise ValueError(str(e)) from None

    def steps(self):
        return self.length

    def peek(self):
        from keraslite.utils.py_dataset import _load

        if self.length == 0:
            raise ValueError(f"{type(self.dataset).__name__} has length 0: it yields no batches.")
        return _load(self.dataset, 0)

    def epoch_batches(self, limit=None):
        from keraslite.utils.py_dataset import iterate

        return iterate(self.dataset, limit)

    def on_epoch_end(self):
        self.dataset.on_epoch_end()


class TFDataSource:
    def __init__(self, dataset):
        self.dataset = dataset

    def steps(self):
        n = int(self.dataset.cardinality()) if hasattr(self.dataset, "cardinality") else -2
        return n if n >= 0 else None

    def peek(self):
        for batch in self.dataset.take(1).as_numpy_iterator():
            return batch
        raise ValueError("The tf.data.Dataset yields no batches.")

    def epoch_batches(self, limit=None):
        return _limited(self.dataset.as_numpy_iterator(), limit)

    def on_epoch_end(self):
        pass


class IterableSource:
    """A re-iterable collection of batches (e.g. a list of ``(x, y)`` tuples): read anew each epoch."""

    def __init__(self, iterable):
        self.iterable = iterable

    def steps(self):
        try:
            return len(self.iterable)
        except TypeError:
            return None

    def peek(self):
        for batch in self.iterable:
            return batch
        raise ValueError("The data source yields no batches: it is empty.")

    def epoch_batches(self, limit=None):
        return _limited(iter(self.iterable), limit)

    def on_epoch_end(self):
        pass


class IteratorSource:
    """A generator or iterator: consumed once, epochs continue where the last one stopped."""

    def __init__(self, iterator):
        self.iterator = iterator
        self.first = None

    def steps(self):
        return None

    def peek(self):
        if self.first is None:
            try:
                self.first = next(self.iterator)
            except StopIteration:
                raise ValueError(
                    "The generator yields no batches: it was empty (or already exhausted)."
                ) from None
        return self.first

    def epoch_batches(self, limit=None):
        def batches():
            if self.first is not None:
                first, self.first = self.first, None
                yield first
            while True:
                try:
                    yield next(self.iterator)
                except StopIteration:
                    return

        return _limited(batches(), limit)

    def on_epoch_end(self):
        pass


def _limited(iterator, limit):
    """At most ``limit`` batches, without pulling one more (a generator resumes where it left)."""
    return iterator if limit is None else itertools.islice(iterator, limit)
