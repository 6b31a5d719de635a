"""Leases: when a RUNNING trial's worker counts as gone."""
import os
import subprocess
import sys
import time

from keraslite.tuner import lease


def test_lease_of_a_live_and_a_dead_process_on_this_host():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        me = lease.owner()
        alive = dict(me, pid=child.pid, start=lease._process_start(child.pid), since=time.time())
        attrs = {lease.LEASE_ATTR: alive, lease.BEAT_ATTR: time.time()}
        assert not lease.is_stale(attrs, 60.0, set(), 0)
    finally:
        child.kill()
        child.wait()
    assert lease.is_stale(attrs, 60.0, set(), 0)  # same host, process gone: at once


def test_lease_times_out_without_heartbeat_from_another_host():
    other = {"host": "elsewhere", "pid": os.getpid(), "start": None, "since": 0.0}
    now = 1000.0
    fresh = {lease.LEASE_ATTR: other, lease.BEAT_ATTR: now - 5}
    old = {lease.LEASE_ATTR: other, lease.BEAT_ATTR: now - 120}
    assert not lease.is_stale(fresh, 60.0, set(), 0, now=now)
    assert lease.is_stale(old, 60.0, set(), 0, now=now)
    # Asked but never leased: dead only once the timeout has passed since it was asked.
    assert not lease.is_stale({}, 60.0, set(), 0, started=now - 5, now=now)
    assert lease.is_stale({}, 60.0, set(), 0, started=now - 120, now=now)


def test_own_trial_is_stale_only_when_no_longer_running_here():
    mine = {lease.LEASE_ATTR: dict(lease.owner(), since=time.time()),
            lease.BEAT_ATTR: time.time()}
    assert not lease.is_stale(mine, 60.0, {7}, 7)
    assert lease.is_stale(mine, 60.0, set(), 7)  # interrupted earlier in this process
