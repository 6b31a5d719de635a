"""StateHolder: where variables' live values sit while a compiled loop owns them.

During ``fit`` the compiled step consumes and returns the whole state (donated on JAX), so the
Python ``Variable`` objects cannot keep their own arrays current without a copy per step.
Instead each variable points at the holder; reading it (a callback, the user) returns the
latest value, and assigning it (e.g. a new learning rate) replaces the value the next compiled
call receives. ``release`` writes everything back when the loop ends.

**Failures.** On JAX the state is donated: once a compiled call is dispatched its input buffers
are gone, and if the call then fails (a device out-of-memory error, an error raised after
dispatch) its outputs are poisoned too, so writing either back would leave a model whose
``get_weights``/``predict``/``save`` all raise. The holder therefore keeps a host copy of the
state, taken when it starts and refreshed by ``checkpoint()`` (``fit`` calls it after each
epoch), and ``release`` after a failure puts that copy back wherever a value is unusable. A copy
is a device-to-host transfer of the whole state (a 1.1M-parameter MLP with Adam: several ms on
a loaded CPU), so after the first one a checkpoint is skipped until ``_CHECKPOINT_SPACING`` times
the last copy's duration has passed: the overhead stays near 2% of fit's time and the weights
restored are at most a few epochs old. A backend that does not donate (TensorFlow) keeps its
last good values anyway and copies nothing. ``benchmarks/fit_failure_checkpoint.py`` measures it.
"""
from __future__ import annotations

import time

import numpy as np

from keraslite.backends import compile as B_compile
from keraslite.backends import core

# A checkpoint waits for this many times the duration of the previous copy (about 2% overhead;
# 20 measured 7% with benchmarks/fit_failure_checkpoint.py).
_CHECKPOINT_SPACING = 50.0


class StateHolder:
    def __init__(self, groups, previous: "StateHolder | None" = None):
        self.groups = [list(g) for g in groups]
        self.ids = [[id(v) for v in g] for g in self.groups]
        self.values = []
        for gi, group in enumerate(self.groups):
            values = []
            for vi, var in enumerate(group):
                values.append(var._stored_value())
                var._holder = (self, (gi, vi))
            self.values.append(values)
        if B_compile.DONATES_STATE:
            flat = B_compile.unique_buffers([v for group in self.values for v in group])
            it = iter(flat)
            self.values = [[next(it) for _ in group] for group in self.values]
        self.backup = None
        self._next_checkpoint = 0.0
        if previous is not None and previous.ids == self.ids and all(
                a is b for ga, gb in zip(previous.values, self.values) for a, b in zip(ga, gb)):
            # The same variables held again with the values the previous holder left them (one
            # train_on_batch after another): its copy stays recent enough until its next
            # checkpoint is due. A value changed in between (set_weights) takes a new copy.
            self.backup, self._next_checkpoint = previous.backup, previous._next_checkpoint
        self.checkpoint()

    def read(self, index):
        gi, vi = index
        return B_compile.snapshot(self.values[gi][vi])

    def write(self, index, value):
        gi, vi = index
        self.values[gi][vi] = value

    def checkpoint(self):
        """Keeps a host copy of the current values, the state ``release`` falls back to after a
        failed compiled call (only where calls donate their inputs)."""
        if not B_compile.DONATES_STATE or time.perf_counter() < self._next_checkpoint:
            return
        started = time.perf_counter()
        # A copy, not a view: a zero-copy view would share the buffer that is donated next.
        # (convert_to_numpy also gathers arrays spread over several hosts.)
        self.backup = [[np.array(core.convert_to_numpy(v), copy=True) for v in group]
                       for group in self.values]
        ended = time.perf_counter()
        self._next_checkpoint = ended + _CHECKPOINT_SPACING * (ended - started)

    def release(self, failed=False):
        """Writes the live values back into the variables and detaches them. After a failure
        (``failed``), values that a failed call consumed or poisoned are replaced by the last
        checkpoint, so the model keeps its last good weights."""
        if failed and self.backup is not None and not all(
                _usable(v) for group in self.values for v in group):
            self.values = [[B_compile.to_device(a) for a in group] for group in self.backup]
        for group, values in zip(self.groups, self.values):
            for var, value in zip(group, values):
                var._holder = None
                var._store(value)
        self.groups = []


class HeldState:
    """Context manager: variables held by a StateHolder for the duration of a loop.
    ``previous``: the holder of the last such loop over the same variables, whose backup and
    checkpoint schedule carry over (``train_on_batch``: otherwise every call copies the whole
    state to the host, and after a failure the weights restored are those of a recent call)."""

    def __init__(self, groups, previous: StateHolder | None = None):
        self.groups = groups
        self.previous = previous

    def __enter__(self):
        self.holder = StateHolder(self.groups, self.previous)
        return self.holder

    def __exit__(self, exc_type, exc, traceback):
        self.holder.release(failed=exc_type is not None)


def _usable(value) -> bool:
    """False for an array a failed call consumed (donated) or poisoned (its error pending)."""
    is_deleted = getattr(value, "is_deleted", None)
    if is_deleted is not None and is_deleted():
        return False
    ready = getattr(value, "block_until_ready", None)
    if ready is not None:
        try:
            ready()
        except Exception:  # the failed computation's error, raised again on every read
            return False
    return True
