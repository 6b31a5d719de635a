"""BackupAndRestore: resume an interrupted ``fit`` exactly where the last backup left it."""
from __future__ import annotations

import json
import os

import numpy as np

from keraslite.callbacks.callback import Callback
from keraslite.utils.unsupported_args import require_default

_STATE_ENTRY = "state.json"
_VARIABLES_ENTRY = "variables.safetensors"
_FORMAT = "keraslite.backup"


class BackupAndRestore(Callback):
    """Backs up the whole training state so that rerunning the same script after a crash (even
    ``kill -9``) resumes and ends with the same weights as an uninterrupted run.

    A backup holds every variable the training step uses (weights, RNG state of dropout and
    augmentation layers, optimizer state and learning rate, metric accumulators), the epoch and
    step reached, the state of the shuffle generator at the start of that epoch, and the state of
    the other callbacks (``get_state``: EarlyStopping's patience, ReduceLROnPlateau's cooldown,
    ...). It is one file written atomically, so a kill during a backup leaves the previous one.

    Args:
        backup_dir: folder for the backup file (created if missing). Use one folder per run.
        save_freq: ``"epoch"`` to back up after every epoch, or an int N to back up every N
            batches (each batch then runs as its own compiled call, which is slower).
        delete_checkpoint: delete the backup when ``fit`` finishes normally.

    Bit-identical resumption needs the same script, data and backend; on array data the
    resumed epoch replays the interrupted epoch's shuffle order and skips the batches already
    done. Streamed data (generators, PyDataset) is skipped forward by the same number of batches.

    Example::

        model.fit(x, y, epochs=10,
                  callbacks=[keraslite.callbacks.BackupAndRestore("run1_backup")])
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        # Keras keeps a second copy against a write interrupted half-way; keraslite's writes are
        # atomic, but a second copy is not implemented, so only the default is accepted.
        require_default("BackupAndRestore", "double_checkpoint", double_checkpoint, False)
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise ValueError("BackupAndRestore: backup_dir must be a non-empty folder path. "
                             f"Received: {backup_dir!r}")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError("BackupAndRestore: save_freq must be 'epoch' or a positive number of "
                             f"batches. Received: save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self._epoch = 0
        self._batches_seen = 0
        if save_freq != "epoch":
            # An instance hook: only this setting makes fit run one step per compiled call.
            self.on_train_batch_end = self._on_train_batch_end

    @property
    def backup_path(self) -> str:
        return os.path.join(self.backup_dir, "training_backup.keraslite-state")

    # -- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        if os.path.exists(self.backup_path):
            self._restore()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._backup(epoch=self._epoch, step=batch + 1,
                         rng_state=self.model.fit_progress.epoch_shuffle_state)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            # The shuffle generator now stands where the next epoch starts.
            self._backup(epoch=epoch + 1, step=0,
                         rng_state=self.model.fit_progress.shuffle_rng.bit_generator.state)

    def on_train_end(self, logs=None):
        # Only reached when fit ends normally; after an exception the backup stays.
        if self.delete_checkpoint:
            try:
                os.remove(self.backup_path)
            except FileNotFoundError:
                pass

    # -- state --------------------------------------------------------------------------------
    def _peers(self):
        # A progress bar has no state to resume and comes and goes with `verbose`: rerunning a
        # fit with only `verbose` changed must still resume.
        from keraslite.callbacks.progbar_logger import ProgbarLogger

        return [c for c in self.model.fit_progress.callbacks.callbacks
                if c is not self and not isinstance(c, ProgbarLogger)]

    def _backup(self, epoch, step, rng_state):
        from keraslite.saving import archive, tensor_file

        tensors = {f"state/{path}": array for path, array in self.model.get_state().items()}
        peers = []
        for i, callback in enumerate(self._peers()):
            state = dict(callback.get_state() or {})
            arrays = state.pop("best_weights", None)
            if arrays is not None:
                state["best_weights"] = len(arrays)
                for j, array in enumerate(arrays):
                    tensors[f"callbacks/{i}/best_weights/{j}"] = np.asarray(array)
            peers.append({"class_name": type(callback).__name__, "state": state})
        state = {
            "format": _FORMAT, "epoch": epoch, "step": step, "shuffle_state": rng_state,
            "batches_seen": self._batches_seen, "callbacks": peers,
        }
        archive.write_archive(self.backup_path, {
            _STATE_ENTRY: json.dumps(state).encode("utf-8"),
            _VARIABLES_ENTRY: tensor_file.encode_tensors(tensors, {"format": _FORMAT}),
        })

    def _restore(self):
        from keraslite.saving import archive, tensor_file
        from keraslite.saving.errors import CorruptFileError

        path = self.backup_path
        entries = archive.read_archive(path)
        if set(entries) != {_STATE_ENTRY, _VARIABLES_ENTRY}:
            raise CorruptFileError(f"{path} is not a keraslite training backup.")
        try:
            state = json.loads(entries[_STATE_ENTRY].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CorruptFileError(f"{path}: unreadable backup state ({error}).") from None
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise CorruptFileError(f"{path} is not a keraslite training backup.")
        tensors, _ = tensor_file.decode_tensors(entries[_VARIABLES_ENTRY], path)
        model_arrays = {k[len("state/"):]: v for k, v in tensors.items() if k.startswith("state/")}
        peers = self._peers()
        # Backups written before progress bars were left out list them: skip those entries,
        # keeping each entry's index (its best_weights tensors are named by it).
        saved_peers = [(i, p) for i, p in enumerate(state.get("callbacks", []))
                       if not (isinstance(p, dict) and p.get("class_name") == "ProgbarLogger")]
        if [type(c).__name__ for c in peers] != [p.get("class_name") for _, p in saved_peers]:
            raise ValueError(
                f"The backup in {path} was made with callbacks "
                f"{[p.get('class_name') for _, p in saved_peers]}, but this fit has "
                f"{[type(c).__name__ for c in peers]}. Resume with the same callbacks, or delete "
                f"{self.backup_dir} to start over."
            )
        from keraslite.training.model_state import set_state

        set_state(self.model, model_arrays, f"{path} (this model differs from the one backed up: "
                  "delete the backup folder to start over)")
        for callback, (i, saved) in zip(peers, saved_peers):
            peer_state = dict(saved.get("state") or {})
            if "best_weights" in peer_state:
                count = int(peer_state["best_weights"])
                peer_state["best_weights"] = [tensors[f"callbacks/{i}/best_weights/{j}"]
                                              for j in range(count)]
            callback.set_state(peer_state)
        self._batches_seen = int(state.get("batches_seen", 0))
        self.model.fit_progress.resume_from(state["epoch"], state["step"], state["shuffle_state"])
