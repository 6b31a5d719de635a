"""Arrays handed out while worker threads still fill them: initial weights drawn while the
model is still being built.

Building a large model with ``weights=None`` is mostly drawing its initial weights (VGG16: 138
million uniform values), and a model loaded from a weight file overwrites every one of them. A
variable created by keraslite's own uniform initializers (``RandomUniform``, ``GlorotUniform``,
``HeUniform``, ... called by the variable itself, float32) therefore gets its array at once,
while the values are drawn by a few worker threads (``initializers/parallel_uniform.py``):
the generator is advanced past the draw on the spot, so the values, and every draw after it,
are exactly those of drawing there and then. The variable waits for its pieces at its first read (the reading
thread draws any piece no worker has started yet), and a variable assigned before its first
read, as a weight file does, cancels the pieces not started (``held()`` keeps the workers off
the draws of a model whose weights are about to be loaded). Only the variable ever sees the
array before it is complete.

The variable's value is whatever a read returns: ``model.weights``, ``get_weights``, a
``predict`` or ``fit`` all wait. A process forks only after every pending draw is complete (the
children have no workers).
"""
from __future__ import annotations

import contextlib
import os
import queue
import threading
import weakref
from typing import Any, Callable, Optional

_MAX_WORKERS = 8

_creating = threading.local()


@contextlib.contextmanager
def drawing_for_variable(initializer: Any):
    """Marks ``initializer`` as the one a variable is calling now: only that object, and only
    its own class's ``__call__``, may return an array still being drawn (see ``allowed``)."""
    previous = getattr(_creating, "initializer", None)
    _creating.initializer = initializer
    try:
        yield
    finally:
        _creating.initializer = previous


def allowed(initializer: Any, method: Callable) -> bool:
    """Whether ``initializer``'s ``method`` (its class's ``__call__``, written to return the
    draw as it is) may hand back a pending draw: only when a variable called exactly this object
    and its class does not override ``method`` (an override could read the array)."""
    return (getattr(_creating, "initializer", None) is initializer
            and type(initializer).__call__ is method)


class Piece:
    """One part of a draw: ``fill()`` writes it, on a worker or on the thread that needs it."""
    __slots__ = ("_fill", "_lock", "_state", "_done", "error")

    _QUEUED, _RUNNING, _FINISHED, _CANCELLED = range(4)

    def __init__(self, fill: Callable[[], None]) -> None:
        self._fill = fill
        self._lock = threading.Lock()
        self._state = Piece._QUEUED
        self._done = threading.Event()
        self.error: Optional[BaseException] = None

    def _claim(self) -> bool:
        with self._lock:
            if self._state != Piece._QUEUED:
                return False
            self._state = Piece._RUNNING
            return True

    def run(self) -> None:
        """Fills the piece unless someone else has started or cancelled it."""
        if not self._claim():
            return
        try:
            self._fill()
        except BaseException as error:  # re-raised by finish() in the reading thread
            self.error = error
        finally:
            self._fill = None  # drops the array once written
            self._state = Piece._FINISHED
            self._done.set()

    def finish(self) -> None:
        """Runs the piece here if nobody has started it, else waits for it."""
        self.run()
        self._done.wait()
        if self.error is not None:
            raise self.error
        if self._state == Piece._CANCELLED:  # only an array nobody reads again is cancelled
            raise RuntimeError("An initial weight draw was read after it was cancelled.")

    def queued(self) -> bool:
        return self._state == Piece._QUEUED

    def cancel(self) -> None:
        with self._lock:
            if self._state == Piece._QUEUED:
                self._state = Piece._CANCELLED
                self._fill = None
                self._done.set()


class _Workers:
    """Daemon threads taking pieces from one queue, started at the first pending draw."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.threads: list = []
        self.lock = threading.Lock()

    def submit(self, pieces: list) -> None:
        self._start()
        for piece in pieces:
            self.queue.put(piece)

    def _start(self) -> None:
        if self.threads:
            return
        with self.lock:
            if not self.threads:
                self.threads = [threading.Thread(target=self._work, daemon=True,
                                                 name=f"keraslite-draw-{i}")
                                for i in range(worker_count())]
                for thread in self.threads:
                    thread.start()

    def _work(self) -> None:
        while True:
            self.queue.get().run()


def worker_count() -> int:
    """The cores this process may run on (at most 8)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS))


_workers = _Workers()
# id(array handed to the variable) -> its pieces, while any may be pending.
_pending: dict = {}
_pending_lock = threading.Lock()


def run_pieces(pieces: list) -> None:
    """Runs ``pieces`` on the workers and this thread; returns when all are written."""
    if len(pieces) > 1:
        _workers.submit(pieces[1:])
    for piece in pieces:
        piece.finish()


def defer(array: Any, pieces: list) -> None:
    """Queues ``pieces`` (which fill ``array``) on the workers (inside ``held()``: at its end);
    ``array`` is incomplete until ``complete(array)`` returns."""
    key = id(array)
    with _pending_lock:
        _pending[key] = pieces
    # An array dropped unread (a model built and thrown away) cancels what is still queued.
    weakref.finalize(array, _forget, key, pieces)
    held_pieces = getattr(_creating, "held", None)
    if held_pieces is not None:
        held_pieces.extend(pieces)
    else:
        _workers.submit(pieces)


@contextlib.contextmanager
def held():
    """Draws deferred inside the block wait for their reader instead of going to the workers;
    at the end of the block the ones still pending go to the workers. For a model whose
    weights are loaded from a file right after it is built: each assignment cancels its
    variable's draw, so those values are never drawn."""
    previous = getattr(_creating, "held", None)
    pieces: list = []
    _creating.held = pieces
    try:
        yield
    finally:
        _creating.held = previous
        remaining = [piece for piece in pieces if piece.queued()]
        if previous is not None:
            previous.extend(remaining)
        elif remaining:
            _workers.submit(remaining)


def _forget(key: int, pieces: list) -> None:
    with _pending_lock:
        if _pending.get(key) is pieces:
            del _pending[key]
    for piece in pieces:
        piece.cancel()


def is_pending(array: Any) -> bool:
    return id(array) in _pending


def complete(array: Any) -> None:
    """Returns once ``array`` holds all its values (at once for any array not drawn here)."""
    pieces = _pending.get(id(array))
    if pieces is None:
        return
    for piece in pieces:
        piece.finish()
    with _pending_lock:
        if _pending.get(id(array)) is pieces:
            del _pending[id(array)]


def discard(array: Any) -> None:
    """``array`` will never be read (its variable was assigned): pieces not started are
    cancelled."""
    pieces = _pending.get(id(array))
    if pieces is not None:
        _forget(id(array), pieces)


def complete_all() -> None:
    """Finishes every pending draw (before a fork: the child has no workers)."""
    with _pending_lock:
        pending = list(_pending.values())
    for pieces in pending:
        for piece in pieces:
            try:
                piece.finish()
            except BaseException:  # reported to the array's reader, not here
                pass


def _after_fork_in_child() -> None:
    global _workers
    _workers = _Workers()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=complete_all, after_in_child=_after_fork_in_child)
