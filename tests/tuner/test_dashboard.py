"""The documented optuna-dashboard command opens a finished search; the trial count is read
back over HTTP on loopback."""
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from keraslite import tuner as kt
from tests.tuner.tuner_helpers import Quadratic


def _dashboard_executable():
    beside = os.path.join(os.path.dirname(sys.executable), "optuna-dashboard")
    return beside if os.path.exists(beside) else shutil.which("optuna-dashboard")


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_dashboard_reads_the_study(tmp_path):
    executable = _dashboard_executable()
    if executable is None:
        pytest.skip("optuna-dashboard is not installed (pip install optuna-dashboard)")
    tuner = kt.RandomSearch(Quadratic(), "val_loss", max_trials=5, seed=0,
                            directory=str(tmp_path), project_name="dash", verbose=0)
    tuner.search()
    command = shlex.split(tuner.dashboard_command())
    assert command[0] == "optuna-dashboard"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([executable, *command[1:], "--host", "127.0.0.1", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        studies = None
        for _ in range(120):  # bounded: at most about 60 s
            if server.poll() is not None:
                pytest.fail(f"optuna-dashboard exited: {server.stderr.read()[-2000:]!r}")
            try:
                studies = _get(f"{base}/api/studies")["study_summaries"]
                break
            except OSError:
                time.sleep(0.5)
        assert studies is not None, "the dashboard never answered"
        assert [s["study_name"] for s in studies] == ["dash"]
        detail = _get(f"{base}/api/studies/{studies[0]['study_id']}")
        assert len(detail["trials"]) == len(tuner.oracle.trials) == 5
    finally:
        server.terminate()
        server.wait(timeout=30)
