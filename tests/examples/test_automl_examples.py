"""The automl examples run end to end (``--quick``: one trial of a few epochs) and their
exported models reload identically, across backends: both examples run in ONE subprocess
under the *other* backend, and this process (the current backend) loads the models they saved
and must reproduce the predictions they wrote. Over the suite's two runs each example runs
under each backend, and each backend loads the other's files."""
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import keraslite

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ("automl_digits", "automl_tabular")
SAVED = {"automl_digits": "digits_best.keraslite", "automl_tabular": "tabular_best.keraslite"}
# Runs each example's main() in one interpreter (one backend import, not two).
RUNNER = """
import runpy, sys
directory = sys.argv[1]
sys.path.insert(0, ".")
for name in sys.argv[2:]:
    example = runpy.run_path(f"{name}.py", run_name="example")  # cwd: examples/
    print(f"=== {name}", flush=True)
    code = example["main"](["--quick", "--directory", directory,
                            "--save-predictions", f"{directory}/{name}.npy"])
    print(f"=== {name} exit {code}", flush=True)
"""


def _load_example(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"example_{name}", REPO / "examples" /
                                                  f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    pytest.importorskip("sklearn")
    pytest.importorskip("pandas")
    directory = tmp_path_factory.mktemp("automl_examples")
    other = "tensorflow" if keraslite.backend.backend() == "jax" else "jax"
    env = dict(os.environ, KERASLITE_BACKEND=other)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(directory), *EXAMPLES],
        cwd=str(REPO / "examples"), env=env, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the examples exited {result.returncode}:\n{output[-4000:]}"
    parts = re.split(r"^=== (\w+)\n", result.stdout, flags=re.MULTILINE)
    return directory, dict(zip(parts[1::2], parts[2::2])), output


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_automl_example_runs_quick_and_reloads_on_the_other_backend(name, quick_runs):
    directory, stdout_by_name, output = quick_runs
    stdout = stdout_by_name.get(name, "")
    assert f"=== {name} exit 0" in stdout, f"{name} did not finish:\n{output[-4000:]}"
    match = re.search(r"^test accuracy: ([0-9.]+)", stdout, re.MULTILINE)
    assert match, f"{name} printed no test accuracy:\n{output[-4000:]}"
    # Ten classes (digits) or two (tabular): one short trial is clearly above chance.
    assert float(match.group(1)) > (0.3 if name == "automl_digits" else 0.7)
    assert "reloaded predictions identical: True" in stdout
    if name == "automl_tabular":
        assert re.search(r"HistGradientBoostingClassifier test accuracy: 0\.\d+", stdout)
    # The other backend's saved model, loaded here, on the example's own test data: the
    # digits model takes the images, the table model the DataFrame (its TableEncoder).
    from keraslite import automl as ak  # registers HostPreprocessedModel and TableEncoder

    example = _load_example(name)
    if name == "automl_digits":
        x_test = example.load_digits(quick=True)[2]
    else:
        x_test = example.load_table()[2][:128]
    loaded = keraslite.models.load_model(str(directory / SAVED[name]))
    assert isinstance(loaded, ak.HostPreprocessedModel) == (name == "automl_tabular")
    expected = np.load(directory / f"{name}.npy")
    np.testing.assert_allclose(loaded.predict(x_test, verbose=0), expected, atol=1e-5)
