"""Leases: how a worker tells the others that its RUNNING trial is still alive.

Optuna's own heartbeat covers only database storages driven by ``study.optimize``; a tuner asks
and tells trials itself, on any storage. So each running trial carries a lease of keraslite's
own, in its user attributes: the worker's host and process id, and a heartbeat time renewed by
a background thread. Another worker declares the trial abandoned when the heartbeat is older
than ``lease_timeout`` seconds, or at once when the owner ran on the same host and its process
is gone (a SIGKILLed worker is noticed by the next run without waiting for the timeout).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any, Optional

LEASE_ATTR = "keraslite:lease"
BEAT_ATTR = "keraslite:heartbeat"


def owner() -> dict:
    """This worker's identity, recorded in the lease of each trial it runs."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "start": _process_start(os.getpid())}


def _process_start(pid: int) -> Optional[str]:
    """The process's start time from /proc (tells a reused pid from the original), if readable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


def _process_alive(pid: int, start: Optional[str]) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    if start is not None:
        now = _process_start(pid)
        if now is not None and now != start:
            return False  # the pid was reused by another process
    return True


def is_stale(user_attrs: dict, lease_timeout: float, active_ids: set, trial_id: int,
             started: Optional[float] = None, now: Optional[float] = None) -> bool:
    """True when a RUNNING trial's worker is gone (``started``: when the trial was asked)."""
    now = time.time() if now is None else now
    lease = user_attrs.get(LEASE_ATTR)
    if not isinstance(lease, dict):
        # Asked but never leased: its worker died between the two writes, or it is just being
        # leased now; give it the lease timeout before calling it dead.
        return started is not None and now - started > lease_timeout
    me = owner()
    if lease.get("host") == me["host"]:
        if lease.get("pid") == me["pid"] and lease.get("start") == me["start"]:
            return trial_id not in active_ids  # ours, but no longer running in this process
        pid = lease.get("pid")
        if isinstance(pid, int) and not _process_alive(pid, lease.get("start")):
            return True
    beat = user_attrs.get(BEAT_ATTR, lease.get("since", 0))
    return not isinstance(beat, (int, float)) or now - beat > lease_timeout


class Heartbeat:
    """Renews a trial's heartbeat every ``interval`` seconds on a daemon thread."""

    def __init__(self, storage: Any, trial_id: int, interval: float) -> None:
        self._storage = storage
        self._trial_id = trial_id
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keraslite-heartbeat",
                                        daemon=True)

    def start(self) -> "Heartbeat":
        lease = dict(owner(), since=time.time())
        self._storage.set_trial_user_attr(self._trial_id, LEASE_ATTR, lease)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._storage.set_trial_user_attr(self._trial_id, BEAT_ATTR, time.time())
            except Exception:  # the trial finished meanwhile, or the storage hiccuped
                if self._stop.is_set():
                    return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
