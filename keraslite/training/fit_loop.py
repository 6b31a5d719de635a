"""The epoch loop of ``fit``: blocks of compiled steps, callbacks, validation and resumption.

``FitProgress`` is the small public object a running ``fit`` exposes as ``model.fit_progress``:
callbacks read the epoch, the step, the shuffle generator's state and the other callbacks from
it, and ``BackupAndRestore`` asks it to resume with ``resume_from(...)``.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from keraslite.backends import core

# Target wall time of one compiled call when a progress bar wants regular updates.
_BLOCK_SECONDS = 0.2
# Batches gathered per compiled call from a data source whose length is unknown.
STREAM_BLOCK = 32


class NonFiniteLossError(ValueError):
    """Raised by ``fit`` when the loss becomes NaN or infinite (the default, like Keras's
    ``TerminateOnNaN`` but loud). The model keeps the weights it had when the check ran
    (after each block of steps with a progress bar or batch callbacks, else after each epoch).
    A smaller learning rate or gradient clipping (``clipnorm``) usually avoids it."""


class FitProgress:
    """Where a running ``fit`` stands.

    Attributes:
        epoch: the current epoch (0-based).
        step: batches done in the current epoch.
        callbacks: the fit's CallbackList (``callbacks.callbacks`` holds the instances).
        shuffle_rng: the NumPy generator that draws each epoch's shuffle order.
        epoch_shuffle_state: that generator's state when the current epoch began.
    """

    def __init__(self, callbacks, shuffle_rng):
        self.callbacks = callbacks
        self.shuffle_rng = shuffle_rng
        self.epoch = 0
        self.step = 0
        self.epoch_shuffle_state = shuffle_rng.bit_generator.state
        self.resume_point = None

    def resume_from(self, epoch: int, step: int, shuffle_state: dict) -> None:
        """Continue at ``step`` of ``epoch``, replaying that epoch's shuffle order (called from
        ``on_train_begin`` by a callback that restored a backup)."""
        self.resume_point = {"epoch": int(epoch), "step": int(step),
                             "shuffle_state": shuffle_state}


class FixedBlock:
    """A constant number of steps per compiled call."""

    def __init__(self, size):
        self.size = max(int(size), 1)

    def observe(self, n, seconds):
        pass


class TimedBlock:
    """Grows the steps per call until one call takes about ``_BLOCK_SECONDS`` (first call:
    one step, since it includes compilation)."""

    def __init__(self, steps):
        self.size = 1
        self.limit = max(steps, 1)
        self.calls = 0

    def observe(self, n, seconds):
        self.calls += 1
        if self.calls == 1:
            self.size = min(8, self.limit)
            return
        per_step = max(seconds / max(n, 1), 1e-7)
        self.size = int(min(max(_BLOCK_SECONDS / per_step, 1), self.limit))


def block_size(steps_per_execution, callbacks, verbose, steps):
    """Steps per compiled call: a whole epoch unless something needs to look in between."""
    if steps_per_execution != "auto":
        return FixedBlock(steps_per_execution)
    if callbacks.needs_train_batch_hooks:
        return FixedBlock(1)
    if steps is None:
        return FixedBlock(STREAM_BLOCK)  # a stream of unknown length
    if verbose == 1:
        return TimedBlock(steps)
    return FixedBlock(max(steps, 1))


def to_floats(logs) -> dict:
    """Logs as Python floats (non-scalar values as NumPy arrays)."""
    out = {}
    for key, value in logs.items():
        array = np.asarray(core.convert_to_numpy(value))
        out[key] = float(array) if array.size == 1 else array
    return out


def check_finite_loss(logs, epoch, step):
    loss = logs.get("loss")
    if isinstance(loss, float) and not np.isfinite(loss):
        raise NonFiniteLossError(
            f"The training loss became {loss} by step {step} of epoch {epoch + 1}; training "
            "stopped. Check the data for NaN or inf values, or lower the learning rate / clip "
            "gradients (e.g. optimizer=Adam(1e-4, clipnorm=1.0))."
        )


def _ignore_loss(logs, epoch, step):
    """Stands in for check_finite_loss when a TerminateOnNaN callback handles the loss."""


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def run_epochs(model, train, val, callbacks, progress, holder, block, epochs, initial_epoch,
               verbose, validation_freq):
    """Runs the epochs of ``fit``; returns the last epoch's logs."""
    needs_logs = bool(callbacks.needs_train_batch_hooks) or verbose == 1
    # With a TerminateOnNaN callback, a NaN/inf loss stops fit cleanly (the callback sets
    # stop_training) instead of raising NonFiniteLossError.
    check_loss = _ignore_loss if callbacks.stops_on_nonfinite_loss else check_finite_loss
    rng = progress.shuffle_rng
    resume = progress.resume_point or {}
    first_epoch = resume.get("epoch", initial_epoch)
    if resume:
        rng.bit_generator.state = resume["shuffle_state"]
    epoch_logs, logs = {}, None
    for epoch in range(first_epoch, epochs):
        start_step = resume.get("step", 0) if epoch == first_epoch else 0
        if start_step == 0:
            model.reset_metrics()  # mid-epoch, the restored accumulators carry on
        progress.epoch, progress.step = epoch, start_step
        progress.epoch_shuffle_state = rng.bit_generator.state
        callbacks.on_epoch_begin(epoch)
        step, batch_logs = start_step, {}
        for loop, data, order, offset, n in train.blocks(block, rng, start_step):
            callbacks.on_train_batch_begin(step)
            started = time.perf_counter()
            if logs is None:
                logs = loop.initial_logs()
            holder.values[0], logs = loop((), [holder.values[0], logs], data, order, offset, n)
            step += n
            progress.step = step
            if needs_logs:
                batch_logs = to_floats(logs)
                check_loss(batch_logs, epoch, step)
            block.observe(n, time.perf_counter() - started)
            callbacks.on_train_batch_end(step - 1, batch_logs)
            if model.stop_training:
                break
        if step == 0:
            if epoch == first_epoch:
                raise ValueError("fit() got no batches from its data source in the first epoch. "
                                 "Pass data with at least one batch.")
            warnings.warn(
                f"The data source ran out of batches at epoch {epoch + 1}: training stops. "
                "Use an infinite generator (with steps_per_epoch) or a re-iterable "
                "source such as a PyDataset or tf.data.Dataset for several epochs.",
                stacklevel=3,
            )
            break
        train.on_epoch_end()
        epoch_logs = to_floats(logs) if logs is not None else {}
        check_loss(epoch_logs, epoch, step)
        holder.checkpoint()  # the state a failure later in fit falls back to
        if val is not None and _should_validate(epoch, validation_freq):
            val_logs = model._run_test(val, callbacks)
            epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    return epoch_logs
