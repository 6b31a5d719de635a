"""PyDataset: a Keras-style indexable source of batches, optionally prefetched by worker threads.

Subclass it, implement ``__len__`` (batches per epoch) and ``__getitem__(index)`` (one batch:
``x``, ``(x, y)`` or ``(x, y, sample_weight)``), and optionally ``on_epoch_end``::

    class Batches(keraslite.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return -(-len(self.x) // self.batch_size)

        def __getitem__(self, index):
            s = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[s], self.y[s]

With ``workers > 1`` the next ``max_queue_size`` batches are loaded by a thread pool while the
model trains. ``use_multiprocessing=True`` is accepted for compatibility and also uses threads
(loading in threads needs no pickling, and NumPy and file I/O release the GIL).
"""
from __future__ import annotations

import concurrent.futures


class PyDataset:
    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"PyDataset workers must be an int >= 1. Received: workers={workers!r}")
        if not isinstance(max_queue_size, int) or max_queue_size < 1:
            raise ValueError(
                f"PyDataset max_queue_size must be an int >= 1. Received: {max_queue_size!r}"
            )
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (batches per epoch).")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index).")

    def on_epoch_end(self):
        """Called after every epoch (e.g. to reshuffle)."""

    @property
    def num_batches(self):
        return len(self)


# Keras's older name for the same interface.
Sequence = PyDataset


def _load(dataset, index):
    try:
        return dataset[index]
    except Exception as e:
        raise ValueError(
            f"{type(dataset).__name__}.__getitem__({index}) raised {type(e).__name__}: {e}"
        ) from e


def iterate(dataset, limit=None):
    """Yields the dataset's batches in order (prefetched by threads when ``workers > 1``)."""
    count = len(dataset)
    if limit is not None:
        count = min(count, limit)
    workers = getattr(dataset, "workers", 1)
    if workers <= 1:
        for index in range(count):
            yield _load(dataset, index)
        return
    depth = max(getattr(dataset, "max_queue_size", 10), workers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        pending = {}
        for index in range(min(depth, count)):
            pending[index] = pool.submit(_load, dataset, index)
        for index in range(count):
            batch = pending.pop(index).result()
            ahead = index + depth
            if ahead < count:
                pending[ahead] = pool.submit(_load, dataset, ahead)
            yield batch
