"""Each example script runs end to end (``--quick``) under the current backend."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import keraslite

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("digits_*.py"))
# The data-utility examples and the metric line each quick run prints.
DATA_EXAMPLES = {"text_classification": "test accuracy", "timeseries_forecasting": "test mae",
                 "image_folder_classification": "test accuracy",
                 "structured_data_feature_space": "test accuracy"}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DATA_EXAMPLES))
def test_data_example_runs_quick(name):
    if name == "image_folder_classification":
        pytest.importorskip("sklearn")
        pytest.importorskip("PIL")
    result, output = _run_quick(REPO / "examples" / f"{name}.py")
    assert result.returncode == 0, f"{name} exited {result.returncode}:\n{output[-4000:]}"
    match = re.search(DATA_EXAMPLES[name] + r": ([0-9.]+)", result.stdout)
    assert match, f"{name} printed no {DATA_EXAMPLES[name]}:\n{output[-4000:]}"
    value = float(match.group(1))
    assert 0.0 <= value and (value <= 1.0 or DATA_EXAMPLES[name] == "test mae")


def _run_quick(script):
    env = dict(os.environ)
    env["KERASLITE_BACKEND"] = keraslite.backend.backend()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = subprocess.run(
        [sys.executable, str(script), "--quick"],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_quick(script):
    pytest.importorskip("sklearn")
    result, output = _run_quick(script)
    assert result.returncode == 0, f"{script.name} exited {result.returncode}:\n{output[-4000:]}"
    match = re.search(r"test accuracy: ([0-9.]+)", result.stdout)
    assert match, f"{script.name} printed no test accuracy:\n{output[-4000:]}"
    assert 0.0 <= float(match.group(1)) <= 1.0


def test_examples_exist():
    assert {p.stem for p in EXAMPLES} >= {"digits_mlp", "digits_cnn"}
