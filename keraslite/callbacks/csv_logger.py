"""CSVLogger: write each epoch's logs as one row of a CSV file."""
from __future__ import annotations

import csv
import os

import numpy as np

from keraslite.callbacks.callback import Callback


def _cell(value):
    """A log value as written: numbers and strings as they are, arrays as ``[a, b, ...]``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, (np.ndarray, list, tuple)):
        return "[" + ", ".join(str(v) for v in np.asarray(value).ravel().tolist()) + "]"
    return value


class CSVLogger(Callback):
    """Streams epoch results to a CSV file: the column ``epoch`` (0-based), then the log names
    in sorted order.

    The columns are fixed at the first epoch; when that epoch has no ``val_*`` entries, a
    ``val_`` column is added for every name anyway (filled with ``NA`` while there is no
    validation), as Keras does, so later validation fits the header. Missing values are
    written as ``NA``. The file is flushed after every row.

    Args:
        filename: path of the CSV file.
        separator: the field delimiter.
        append: add rows to an existing file instead of overwriting it; the header is written
            only if the file is empty or new.

    Example::

        model.fit(x, y, epochs=5, callbacks=[keraslite.callbacks.CSVLogger("training.csv")])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(
                f"CSVLogger: `filename` must be a path (str or os.PathLike). "
                f"Received: filename={filename!r}"
            )
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                f"CSVLogger: `separator` must be a single character. "
                f"Received: separator={separator!r}"
            )
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.keys = None
        self._file = None
        self._writer = None
        self._resumed = False

    def on_train_begin(self, logs=None):
        # A restored state (resumed training) keeps its columns and appends to the file.
        append = self.append or self._resumed
        if not self._resumed:
            self.keys = None
        self._resumed = False
        write_header = not (append and os.path.exists(self.filename)
                            and os.path.getsize(self.filename) > 0)
        self._close()
        directory = os.path.dirname(self.filename)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._file = open(self.filename, "a" if append else "w", newline="", encoding="utf-8")
        self._write_header = write_header
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._file is None:  # used without on_train_begin (e.g. driven by hand)
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self._writer is None:
            self._writer = csv.writer(self._file, delimiter=self.sep, lineterminator="\r\n")
            if self._write_header:
                self._writer.writerow(["epoch"] + self.keys)
        self._writer.writerow([epoch] + [_cell(logs.get(k, "NA")) for k in self.keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._file is not None and not self._file.closed:
            self._file.close()
        self._file = None
        self._writer = None

    def get_state(self):
        return {"keys": None if self.keys is None else list(self.keys)}

    def set_state(self, state):
        keys = state.get("keys")
        self.keys = None if keys is None else [str(k) for k in keys]
        self._resumed = True
