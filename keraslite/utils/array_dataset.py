"""ArrayDataset: the dataset object keraslite's data utilities return.

A list of samples (each loaded on demand, so an image folder is read batch by batch), optionally
batched. Batched, it is a ``PyDataset``, so ``fit``/``evaluate``/``predict`` consume it on both
backends. It has the ``tf.data.Dataset`` methods tutorials chain after Keras's utilities
(``batch``, ``unbatch``, ``shuffle``, ``map``, ``take``, ``skip``, ``cache``, ``prefetch``), so
``ds.cache().prefetch(buffer_size=AUTOTUNE)`` runs unchanged; no TensorFlow is needed.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from keraslite.utils.py_dataset import PyDataset

AUTOTUNE = -1


def _stack(items: list):
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_stack([item[i] for item in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([item[key] for item in items]) for key in first}
    return np.stack([np.asarray(item) for item in items])


class ArrayDataset(PyDataset):
    """Samples ``load(i)`` for ``i`` in ``indices``, in batches of ``batch_size`` (or one by
    one when ``batch_size`` is None)."""

    def __init__(self, load: Callable[[int], object], indices: Sequence[int],
                 batch_size: int | None = None, shuffle_seed: int | None = None,
                 shuffle_each_epoch: bool = False, transforms: tuple = (),
                 stack: Callable[[list], object] | None = None):
        super().__init__()
        if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
            raise ValueError(f"batch_size must be a positive int or None. Received: {batch_size!r}")
        self._load, self._indices = load, np.asarray(indices, dtype=np.int64)
        self._batch_size = batch_size
        self._shuffle_each_epoch, self._seed = shuffle_each_epoch, shuffle_seed
        self._rng = np.random.RandomState(shuffle_seed)
        self._transforms = transforms
        # How samples become a batch: np.stack, or e.g. zero-padding clips of unequal length.
        self._stack = stack or _stack
        self.class_names: list | None = None
        self.file_paths: list | None = None

    def _derive(self, **changes) -> ArrayDataset:
        args = dict(load=self._load, indices=self._indices, batch_size=self._batch_size,
                    shuffle_seed=self._seed, shuffle_each_epoch=self._shuffle_each_epoch,
                    transforms=self._transforms, stack=self._stack)
        args.update(changes)
        out = ArrayDataset(**args)
        out.class_names, out.file_paths = self.class_names, self.file_paths
        return out

    # -- PyDataset interface (batches) ----------------------------------------------------------
    def __len__(self) -> int:
        size = self._batch_size or 1
        return -(-len(self._indices) // size)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} is out of range for {len(self)} batches")
        size = self._batch_size or 1
        chosen = self._indices[index * size:(index + 1) * size]
        if self._batch_size is None:
            return self._apply(self._load(int(chosen[0])))
        return self._apply(self._stack([self._load(int(i)) for i in chosen]))

    def _apply(self, element):
        for fn in self._transforms:
            element = fn(*element) if isinstance(element, tuple) else fn(element)
        return element

    def on_epoch_end(self) -> None:
        if self._shuffle_each_epoch:
            self._rng.shuffle(self._indices)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    @property
    def cardinality(self) -> int:
        return len(self)

    # -- tf.data-style chaining -----------------------------------------------------------------
    def batch(self, batch_size: int, drop_remainder: bool = False) -> ArrayDataset:
        if self._batch_size is not None:
            raise ValueError("This dataset is already batched; call unbatch() first.")
        indices = self._indices
        if drop_remainder:
            indices = indices[:len(indices) - len(indices) % batch_size]
        return self._derive(indices=indices, batch_size=batch_size)

    def unbatch(self) -> ArrayDataset:
        return self._derive(batch_size=None)

    def shuffle(self, buffer_size: int = 0, seed: int | None = None,
                reshuffle_each_iteration: bool = True) -> ArrayDataset:
        del buffer_size  # every sample is addressable, so the whole set is shuffled
        indices = self._indices.copy()
        np.random.RandomState(seed).shuffle(indices)
        return self._derive(indices=indices, shuffle_seed=seed,
                            shuffle_each_epoch=reshuffle_each_iteration)

    def map(self, fn: Callable, num_parallel_calls=None) -> ArrayDataset:
        return self._derive(transforms=self._transforms + (fn,))

    def take(self, count: int) -> ArrayDataset:
        size = self._batch_size or 1
        return self._derive(indices=self._indices[:count * size])

    def skip(self, count: int) -> ArrayDataset:
        size = self._batch_size or 1
        return self._derive(indices=self._indices[count * size:])

    def cache(self, filename: str = "") -> ArrayDataset:
        return self

    def prefetch(self, buffer_size=AUTOTUNE) -> ArrayDataset:
        return self

    def as_numpy_iterator(self):
        return iter(self)
