"""examples/tune_digits.py runs end to end (``--quick``) under the current backend."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import keraslite

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_tune_digits_quick(tmp_path):
    pytest.importorskip("sklearn")
    env = dict(os.environ, KERASLITE_BACKEND=keraslite.backend.backend())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "tune_digits.py"), "--quick",
         "--tuner", "bayesian", "--pruner", "median", "--directory", str(tmp_path)],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Trial 3/3" in result.stdout
    best = float(re.search(r"best val accuracy: ([0-9.]+)", result.stdout).group(1))
    test = float(re.search(r"test accuracy: ([0-9.]+)", result.stdout).group(1))
    # Ten classes: even two epochs of the worst model beat chance by far.
    assert best > 0.3 and test > 0.3
    assert (tmp_path / "digits_bayesian" / "study.journal").is_file()
