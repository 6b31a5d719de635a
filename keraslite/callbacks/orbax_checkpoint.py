"""OrbaxCheckpoint: the model's training state written each epoch with Orbax's
``CheckpointManager`` (needs ``pip install orbax-checkpoint``).

What is written is ``model.get_state()`` (weights, optimizer slots, metric and RNG state, keyed by
their readable paths) as NumPy arrays, or only the layers' weights with ``save_weights_only``;
``OrbaxCheckpoint.restore(model, directory)`` reads a step back with ``model.set_state``, which
checks every path and shape first. Orbax writes its own directory layout; keraslite reads back
only arrays (no code, no pickles).
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from keraslite.callbacks.monitor import MonitorCallback


def _orbax():
    try:
        import orbax.checkpoint as ocp
    except ImportError as error:
        raise ImportError("OrbaxCheckpoint needs the orbax-checkpoint package: "
                          "pip install orbax-checkpoint (or use keraslite.callbacks."
                          "ModelCheckpoint / BackupAndRestore, which need nothing more)") \
            from error
    return ocp


def _nest(flat: dict[str, np.ndarray]) -> dict:
    """``{"a/b": x}`` -> ``{"a": {"b": x}}``: Orbax names files after tree keys, so the paths'
    slashes become levels of the tree."""
    tree: dict = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = path.split("/")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = np.asarray(value)
    return tree


def _flatten(tree: dict, prefix: str = "") -> dict[str, np.ndarray]:
    out = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path + "/"))
        else:
            out[path] = np.asarray(value)
    return out


class OrbaxCheckpoint(MonitorCallback):
    """Writes a checkpoint at the end of every epoch (or, with ``save_best_only``, of every
    epoch that improves ``monitor``), keeping the newest ``max_to_keep``.

    Example::

        checkpoints = OrbaxCheckpoint("/tmp/run1", max_to_keep=2)
        model.fit(x, y, epochs=5, callbacks=[checkpoints])
        OrbaxCheckpoint.restore(model, "/tmp/run1")      # the latest step
    """

    def __init__(self, directory, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, mode: str = "auto", save_freq="epoch",
                 initial_value_threshold=None, max_to_keep: int = 1,
                 save_on_background: bool = True, save_weights_only: bool = False):
        ocp = _orbax()
        super().__init__(monitor=monitor, mode=mode)
        if save_freq != "epoch":
            raise ValueError("OrbaxCheckpoint: argument `save_freq` may only be 'epoch' in "
                             "keraslite (a per-batch hook would split fit's compiled loop "
                             f"into single steps). Received: save_freq={save_freq!r}")
        if isinstance(max_to_keep, bool) or not isinstance(max_to_keep, int) or max_to_keep < 1:
            raise ValueError("OrbaxCheckpoint: argument `max_to_keep` must be a positive int. "
                             f"Received: max_to_keep={max_to_keep!r}")
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError("OrbaxCheckpoint: argument `directory` must be a path. "
                            f"Received: {directory!r:.80}")
        self.directory = os.path.abspath(os.fspath(directory))
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only = save_weights_only
        self.best = initial_value_threshold
        options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep,
                                               enable_async_checkpointing=save_on_background)
        self._manager = ocp.CheckpointManager(self.directory, options=options)

    def _reset(self):
        pass  # the best value so far survives across fit calls, as the files do

    def _state(self) -> dict[str, np.ndarray]:
        state = self.model.get_state()
        if self.save_weights_only:
            state = {k: v for k, v in state.items() if k.startswith("layers/")}
        return state

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            current = self.monitored_value(logs, "saving the best checkpoint")
            if current is None or not self.is_improvement(current, self.best):
                return
            self.best = current
        ocp = _orbax()
        self._manager.save(epoch, args=ocp.args.StandardSave(_nest(self._state())))
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: OrbaxCheckpoint saved step {epoch} to {self.directory}")

    def on_train_end(self, logs=None):
        self._manager.wait_until_finished()  # background writes complete before fit returns

    @property
    def steps(self) -> list[int]:
        """The steps (epoch indices) with a checkpoint on disk, oldest first."""
        return sorted(self._manager.all_steps())

    @staticmethod
    def restore(model: Any, directory, step: int | None = None) -> int:
        """Loads checkpoint ``step`` (default: the latest) from ``directory`` into ``model``;
        returns the step. A weights-only checkpoint restores the weights only."""
        ocp = _orbax()
        directory = os.path.abspath(os.fspath(directory))
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"OrbaxCheckpoint.restore: no checkpoint directory "
                                    f"{directory!r}")
        manager = ocp.CheckpointManager(directory)
        step = manager.latest_step() if step is None else step
        if step is None or step not in manager.all_steps():
            raise ValueError(f"OrbaxCheckpoint.restore: no checkpoint step {step!r} in "
                             f"{directory!r}. Steps there: {sorted(manager.all_steps())}")
        tree = manager.restore(step, args=ocp.args.StandardRestore())
        saved = _flatten(tree)
        state = model.get_state()
        if set(saved) < set(state):  # weights only: keep the rest of the current state
            state.update(saved)
            saved = state
        model.set_state(saved)
        manager.close()
        return step
