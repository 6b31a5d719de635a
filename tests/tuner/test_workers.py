"""Searches across processes: a SIGKILLed worker's trial is re-run on resume, two workers
share one embedded study, and 20 trials in one process keep resident memory bounded."""
import collections
import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from keraslite.tuner import storage as storage_lib
from keraslite.tuner import trial_records as records

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "search_worker.py")


def start_worker(settings):
    return subprocess.Popen([sys.executable, WORKER, json.dumps(settings)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process, timeout=240):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"worker failed:\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


def open_study(directory, project):
    spec = storage_lib.resolve(None, os.path.join(directory, project))
    return optuna.load_study(study_name=project, storage=storage_lib.open_storage(spec))


def check_exact(trials, max_trials):
    """Exactly max_trials counted trials; every abandoned trial re-run exactly once."""
    counted = [t for t in trials if records.status_of(t) in records.COUNTED]
    assert len(counted) == max_trials, collections.Counter(records.status_of(t) for t in trials)
    xs = [t.params["x"] for t in counted]
    assert len(set(xs)) == len(xs), "a trial was counted twice"
    for t in trials:
        if records.status_of(t) == records.ABANDONED and "x" in t.params:
            assert xs.count(t.params["x"]) == 1, "an abandoned trial was not re-run once"
    return counted


def test_sigkill_mid_search_then_resume_runs_exactly_max_trials(tmp_path):
    settings = dict(directory=str(tmp_path), project_name="killed", max_trials=6, sleep=1.0,
                    seed=0)
    worker = start_worker(settings)
    deadline = time.time() + 120
    while time.time() < deadline:
        if os.path.exists(tmp_path / "killed" / "study.journal"):
            trials = open_study(str(tmp_path), "killed").get_trials(deepcopy=False)
            done = [t for t in trials if t.state.is_finished()]
            running = [t for t in trials if t.state.name == "RUNNING" and "x" in t.params]
            if len(done) >= 2 and running:
                break
        time.sleep(0.2)
    else:
        worker.kill()
        pytest.fail("the worker did not get two trials done in time")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    trials = open_study(str(tmp_path), "killed").get_trials(deepcopy=False)
    killed = [t for t in trials if t.state.name == "RUNNING"]
    assert len(killed) == 1

    # Resume: the dead worker's RUNNING trial is noticed at once (same host, process gone),
    # marked ABANDONED and its parameters run again.
    finish(start_worker(dict(settings, sleep=0.0)))
    trials = open_study(str(tmp_path), "killed").get_trials(deepcopy=False)
    check_exact(trials, 6)
    abandoned = [t for t in trials if records.status_of(t) == records.ABANDONED]
    assert [t.number for t in abandoned] == [killed[0].number]
    assert not [t for t in trials if not t.state.is_finished()]


def test_two_workers_share_one_embedded_study(tmp_path):
    settings = dict(directory=str(tmp_path), project_name="shared", max_trials=8, sleep=0.3)
    workers = [start_worker(dict(settings, seed=i)) for i in range(2)]
    results = [finish(w) for w in workers]
    trials = open_study(str(tmp_path), "shared").get_trials(deepcopy=False)
    counted = check_exact(trials, 8)
    owners = {t.user_attrs["keraslite:lease"]["pid"] for t in counted}
    assert owners == {r["pid"] for r in results}, "both workers should have run trials"


def test_twenty_trials_keep_resident_memory_bounded(tmp_path):
    settings = dict(directory=str(tmp_path), project_name="memory", max_trials=20,
                    kind="dense", seed=0)
    result = finish(start_worker(settings), timeout=400)
    rss = result["rss"]
    assert len(rss) == 20
    grown = rss[-1] - rss[0]
    assert grown < 200, f"resident memory grew by {grown:.0f} MB over 20 trials: {rss}"


def test_two_workers_share_a_postgresql_study(tmp_path, postgres_url):
    project = f"pg_{os.getpid()}_{time.time_ns()}"
    settings = dict(directory=str(tmp_path), project_name=project, max_trials=8, sleep=0.3,
                    storage=postgres_url)
    workers = [start_worker(dict(settings, seed=i)) for i in range(2)]
    results = [finish(w) for w in workers]
    study = optuna.load_study(study_name=project,
                              storage=storage_lib.resolve(postgres_url, "").location)
    counted = check_exact(study.get_trials(deepcopy=False), 8)
    owners = {t.user_attrs["keraslite:lease"]["pid"] for t in counted}
    assert owners == {r["pid"] for r in results}, "both workers should have run trials"
    assert not (tmp_path / project / "study.journal").exists()
