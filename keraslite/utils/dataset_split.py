"""split_dataset: one dataset (arrays, a tuple/dict of arrays, or an unbatched ArrayDataset)
as two, by sizes or fractions, as Keras splits it."""
from __future__ import annotations

import numpy as np

from keraslite.utils.array_dataset import ArrayDataset
from keraslite.utils.unsupported_args import require_default


def _sizes(total: int, left_size, right_size) -> tuple[int, int]:
    def count(name, size):
        if size is None:
            return None
        if isinstance(size, float):
            if not 0 < size < 1:
                raise ValueError(f"{name} as a fraction must be in (0, 1). Received: {size}")
            return int(round(size * total))
        if int(size) != size or not 0 < size <= total:
            raise ValueError(f"{name} must be a fraction or an int in (0, {total}]. "
                             f"Received: {name}={size!r}")
        return int(size)

    left, right = count("left_size", left_size), count("right_size", right_size)
    if left is None and right is None:
        raise ValueError("split_dataset needs left_size or right_size (or both).")
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"left_size + right_size ({left} + {right}) exceeds the dataset's "
                         f"{total} samples.")
    return left, right


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False,
                  seed: int | None = None,
                  preferred_backend: str | None = None) -> tuple[ArrayDataset, ArrayDataset]:
    """Two unbatched ``ArrayDataset``s of ``left_size`` and ``right_size`` samples (ints, or
    fractions of the whole); call ``.batch(n)`` on each before ``fit``."""
    # Keras picks a tf.data or torch output type with it; keraslite has one dataset type.
    require_default("split_dataset", "preferred_backend", preferred_backend)
    if isinstance(dataset, ArrayDataset):
        if dataset._batch_size is not None:
            raise ValueError("split_dataset expects an unbatched dataset; call unbatch() first.")
        load, total = dataset.__getitem__, len(dataset)
    elif isinstance(dataset, (tuple, list)):
        arrays = [np.asarray(a) for a in dataset]
        lengths = {len(a) for a in arrays}
        if len(lengths) != 1:
            raise ValueError(f"split_dataset: the arrays have different lengths {sorted(lengths)}")
        total = lengths.pop()
        load = lambda i: tuple(a[i] for a in arrays)  # noqa: E731
    elif isinstance(dataset, dict):
        arrays = {k: np.asarray(v) for k, v in dataset.items()}
        total = len(next(iter(arrays.values())))
        load = lambda i: {k: v[i] for k, v in arrays.items()}  # noqa: E731
    else:
        array = np.asarray(dataset)
        if array.ndim == 0:
            raise TypeError("split_dataset expects arrays, a tuple/dict of arrays or an unbatched "
                            f"ArrayDataset. Received: {type(dataset).__name__}")
        total, load = len(array), array.__getitem__
    left, right = _sizes(total, left_size, right_size)
    order = np.arange(total)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(order)
    return (ArrayDataset(load, order[:left]), ArrayDataset(load, order[left:left + right]))
