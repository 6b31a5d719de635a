"""The automl examples run end to end (``--quick``: one trial of a few epochs) under the
current backend, in one subprocess each, and their exported models reload identically."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import keraslite

REPO = pathlib.Path(__file__).resolve().parents[2]


def _run_quick(name, directory):
    env = dict(os.environ)
    env["KERASLITE_BACKEND"] = keraslite.backend.backend()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / f"{name}.py"), "--quick", "--directory",
         str(directory)], cwd=directory, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=600)
    return result, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ["automl_digits", "automl_tabular"])
def test_automl_example_runs_quick(name, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("pandas")
    result, output = _run_quick(name, tmp_path)
    assert result.returncode == 0, f"{name} exited {result.returncode}:\n{output[-4000:]}"
    match = re.search(r"^test accuracy: ([0-9.]+)", result.stdout, re.MULTILINE)
    assert match, f"{name} printed no test accuracy:\n{output[-4000:]}"
    # Ten classes (digits) or two (tabular): one short trial is clearly above chance.
    assert float(match.group(1)) > (0.3 if name == "automl_digits" else 0.7)
    assert "reloaded predictions identical: True" in result.stdout
    if name == "automl_tabular":
        assert re.search(r"HistGradientBoostingClassifier test accuracy: 0\.\d+", result.stdout)
