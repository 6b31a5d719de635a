"""Compiled programs shared between models whose programs are the same.

A tuner search builds a new model for every trial; two trials with the same architecture and
other optimizer settings (the learning rate is an optimizer variable, passed in with the state,
not a constant in the program) lower to the same program. ``jax.jit`` caches per Python function,
so each new model used to pay XLA's compilation again (seconds for a small Dense model on a
2-core CPU, most of a short trial). Here the compiled executable is found by the text of the
lowered program (shapes, dtypes, shardings, donation, compiler options; no source locations), so
the second such model compiles nothing.

The cache holds only executables (no model, no Python step function) and keeps the
``MAX_PROGRAMS`` most recently used, so a long search over many architectures does not grow.
``compilations()`` counts the programs this process compiled, for tests and benchmarks.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Future
from typing import Optional

MAX_PROGRAMS = 16

_lock = threading.Lock()
_programs: "OrderedDict[str, Future]" = OrderedDict()
_count = 0


def compilations() -> int:
    """How many programs keraslite's compiled loops have compiled in this process."""
    return _count


def clear() -> None:
    """Forgets every shared program (models still running keep theirs)."""
    with _lock:
        _programs.clear()


def _key(lowered, compiler_options: dict) -> Optional[str]:
    """The program's identity, or None for a program that calls back into Python (a
    ``jax.debug.callback``, say): its text names no callback, so it is never shared."""
    text = lowered.as_text(debug_info=False)
    if "callback" in text:
        return None
    options = repr(sorted(compiler_options.items()))
    parts = (text, str(lowered.in_tree), str(lowered.out_tree), options)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def compiled(lowered, compiler_options: dict, submit=None) -> Future:
    """A future of the executable of ``lowered``: a shared one when the same program was
    compiled before, else a new compilation (run by ``submit(fn)`` when given: a background
    thread; else here)."""
    global _count
    key = _key(lowered, compiler_options)
    future: Future = Future()
    with _lock:
        found = _programs.get(key) if key is not None else None
        if found is not None:
            _programs.move_to_end(key)
            return found
        _count += 1
        if key is not None:
            _programs[key] = future
            while len(_programs) > MAX_PROGRAMS:
                _programs.popitem(last=False)

    def work():
        try:
            future.set_result(lowered.compile(compiler_options or None))
        except BaseException as error:  # noqa: BLE001 - handed to whoever waits on it
            with _lock:
                if key is not None and _programs.get(key) is future:
                    del _programs[key]  # a failed compilation is not shared
            future.set_exception(error)

    if submit is None:
        work()
    else:
        submit(work)
    return future
