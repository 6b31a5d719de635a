"""timeseries_dataset_from_array: sliding windows over a series, as Keras builds them."""
from __future__ import annotations

import numpy as np

from keraslite.utils.array_dataset import ArrayDataset
from keraslite.utils.unsupported_args import require_default


def _positive(name: str, value, length: int) -> int:
    if int(value) != value or value <= 0:
        raise ValueError(f"{name} must be a positive int. Received: {name}={value!r}")
    if value >= length:
        raise ValueError(f"{name} must be lower than the length of the data ({length}). "
                         f"Received: {name}={value}")
    return int(value)


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128,
                                  shuffle: bool = False, seed: int | None = None,
                                  start_index: int | None = None,
                                  end_index: int | None = None,
                                  format: str = "tf") -> ArrayDataset:
    """Windows ``data[s], data[s + r], ..., data[s + (sequence_length - 1) * r]`` (``r`` the
    ``sampling_rate``) for start ``s`` every ``sequence_stride`` steps, with target
    ``targets[s]`` when ``targets`` is given. Arguments and windows as in Keras.

    Returns:
        An ``ArrayDataset`` of ``(windows, targets)`` batches (``windows`` alone without targets),
        which ``fit`` consumes.
    """
    # Keras's format="grain" (a Grain dataset) is not implemented; "tf" is its default.
    require_default("timeseries_dataset_from_array", "format", format, "tf")
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("data must be an array with a time axis first. Received a scalar.")
    length = len(data)
    if targets is not None:
        targets = np.asarray(targets)
    start = 0 if start_index is None else int(start_index)
    end = length if end_index is None else int(end_index)
    if start < 0 or start >= length:
        raise ValueError(f"start_index must be in [0, {length}). Received: start_index="
                         f"{start_index}")
    if end_index is not None and (end <= start or end > length):
        raise ValueError(f"end_index must be in ({start}, {length}]. Received: end_index="
                         f"{end_index}")
    if int(sequence_length) != sequence_length or sequence_length <= 0:
        raise ValueError(f"sequence_length must be a positive int. Received: {sequence_length!r}")
    sampling_rate = _positive("sampling_rate", sampling_rate, length)
    sequence_stride = _positive("sequence_stride", sequence_stride, length)
    count = end - start - (int(sequence_length) - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(starts)
    offsets = np.arange(int(sequence_length), dtype=np.int64) * sampling_rate

    def load(i: int):
        window = data[start + starts[i] + offsets]
        return window if targets is None else (window, targets[start + starts[i]])

    return ArrayDataset(load, np.arange(len(starts)), batch_size=batch_size)
