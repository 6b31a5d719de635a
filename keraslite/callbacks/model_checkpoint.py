"""ModelCheckpoint: save the model or its weights during training, every epoch or N batches."""
from __future__ import annotations

import os
import warnings

import numpy as np

from keraslite.callbacks.argument_checks import check_int, check_number, check_update_freq
from keraslite.callbacks.monitor import MonitorCallback

MODEL_EXTENSION = ".keraslite"
MODEL_EXTENSIONS = (MODEL_EXTENSION, ".keras")  # ".keras" so Keras scripts run unchanged
WEIGHTS_EXTENSION = ".safetensors"
WEIGHTS_EXTENSIONS = (WEIGHTS_EXTENSION, ".weights.h5")  # Keras 3's layout, written with h5py


class ModelCheckpoint(MonitorCallback):
    """Saves the model (``model.save``) or its weights (``model.save_weights``) as it trains.

    ``filepath`` may be a template filled with ``str.format``: ``{epoch}`` (1-based, as in
    Keras), any log name (``{val_loss:.2f}``), and with an integer ``save_freq`` also
    ``{batch}`` (1-based within the epoch). Full-model files end in ``.keraslite``, weight files
    in ``.safetensors``.

    Args:
        filepath: path or template of the file to write.
        monitor: the log entry that decides the best model when ``save_best_only``.
        verbose: 1 prints a line at each save (or skipped save).
        save_best_only: save only when ``monitor`` improves on the best value so far (a file
            without a template is then always the best model).
        save_weights_only: save only the weights (``.safetensors``) instead of the model.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (see ``MonitorCallback``).
        save_freq: ``"epoch"`` or an integer number of batches (counted across epochs); batch
            saving makes ``fit`` run one step per compiled call and uses the epoch's running
            metric values.
        initial_value_threshold: with ``save_best_only``, the value to beat before the first
            save; None to save at the first check.
        max_to_keep: keraslite extension: keep only the last this many files written (older
            ones are deleted); None keeps all.

    Example::

        checkpoint = keraslite.callbacks.ModelCheckpoint(
            "checkpoints/model-{epoch:02d}-{val_loss:.3f}.keraslite", save_best_only=True)
        model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[checkpoint])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, max_to_keep=None):
        super().__init__(monitor, mode, 0.0)
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(
                f"ModelCheckpoint: `filepath` must be a path (str or os.PathLike). "
                f"Received: filepath={filepath!r}"
            )
        self.filepath = os.fspath(filepath)
        self.save_weights_only = bool(save_weights_only)
        expected = WEIGHTS_EXTENSION if self.save_weights_only else MODEL_EXTENSION
        accepted = WEIGHTS_EXTENSIONS if self.save_weights_only else MODEL_EXTENSIONS
        if not self.filepath.endswith(accepted):
            what = ("weights (save_weights_only=True)" if self.save_weights_only
                    else "the full model (save_weights_only=False)")
            raise ValueError(
                f"ModelCheckpoint: `filepath` must end in '{expected}' to save {what}. "
                f"Received: filepath={self.filepath!r}"
            )
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_freq = check_update_freq("ModelCheckpoint", "save_freq", save_freq)
        self.best = check_number("ModelCheckpoint", "initial_value_threshold",
                                 initial_value_threshold, allow_none=True)
        self.max_to_keep = (None if max_to_keep is None
                            else check_int("ModelCheckpoint", "max_to_keep", max_to_keep, 1))
        self._batches_since_save = 0
        self._last_batch = None
        self._current_epoch = 0
        self._written = []  # paths written and still kept, oldest first
        if self.save_freq != "epoch":
            # Assigned on the instance, so only batch-level saving pays for batch hooks.
            self.on_train_batch_end = self._batch_end

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _batch_end(self, batch, logs=None):
        # A compiled call may run several steps (steps_per_execution): count the steps from
        # the batch indices, and a smaller index than the last one means a new epoch.
        if self._last_batch is None or batch <= self._last_batch:
            self._batches_since_save += batch + 1
        else:
            self._batches_since_save += batch - self._last_batch
        self._last_batch = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    # -- saving ---------------------------------------------------------------------------------
    def _path(self, epoch, batch, logs):
        fields = dict(logs or {})
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in fields:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise ValueError(
                f"ModelCheckpoint: `filepath` {self.filepath!r} names {{{error.args[0]}}}, which "
                f"is not available when saving. Available: {', '.join(sorted(fields))}."
            ) from None
        except (ValueError, IndexError) as error:
            raise ValueError(
                f"ModelCheckpoint: `filepath` {self.filepath!r} could not be filled in with "
                f"{fields}: {error}"
            ) from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"ModelCheckpoint: can save the best model only with `{self.monitor}` in the "
                f"logs; saving anyway. Available: {', '.join(sorted(logs or {})) or 'none'}.",
                stacklevel=3,
            )
            return True
        if np.ndim(current) > 0:
            warnings.warn(
                f"ModelCheckpoint: `{self.monitor}` is not a scalar (shape {np.shape(current)}), "
                "so the best model cannot be chosen; saving anyway.", stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self.is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = float(current)
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, epoch, batch, logs):
        path = self._path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        if os.path.isdir(path):
            raise ValueError(
                f"ModelCheckpoint: `filepath` must name a file, but {path!r} is an existing "
                "directory."
            )
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        self._remember(path)

    def _remember(self, path):
        """Records ``path`` as the newest file and deletes the oldest beyond ``max_to_keep``."""
        if path in self._written:
            self._written.remove(path)
        self._written.append(path)
        if self.max_to_keep is None:
            return
        while len(self._written) > self.max_to_keep:
            old = self._written.pop(0)
            if os.path.exists(old):
                os.remove(old)

    # -- state ----------------------------------------------------------------------------------
    def get_state(self):
        return {
            "best": self.best, "epoch": self._current_epoch,
            "batches_since_save": self._batches_since_save, "last_batch": self._last_batch,
            "written": list(self._written),
        }

    def set_state(self, state):
        best = state.get("best")
        self.best = None if best is None else float(best)
        self._current_epoch = int(state.get("epoch", 0))
        self._batches_since_save = int(state.get("batches_since_save", 0))
        last = state.get("last_batch")
        self._last_batch = None if last is None else int(last)
        self._written = [str(p) for p in state.get("written", [])]
