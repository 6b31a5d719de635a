"""Each layer gives the same numbers (max abs diff <= 1e-5) on JAX and on TensorFlow.

The other backend runs in a subprocess (a backend is chosen once per process); one subprocess
computes every case, and each layer's comparison is its own test.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import keraslite
import cross_backend_cases as cases

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def _other_backend():
    return "tensorflow" if keraslite.backend.backend() == "jax" else "jax"


@pytest.fixture(scope="module")
def other_outputs(tmp_path_factory):
    other = _other_backend()
    pytest.importorskip(other)
    path = tmp_path_factory.mktemp("cross_backend") / f"{other}.npz"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cross_backend_cases as c; "
        "import numpy as np; np.savez(sys.argv[2], **c.compute_all())"
    )
    env = {**os.environ, "KERASLITE_BACKEND": other,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", script, str(HERE), str(path)], env=env,
                            cwd=str(REPO), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{other} subprocess failed:\n{result.stderr[-4000:]}"
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("name", cases.CASE_NAMES)
def test_same_outputs_on_both_backends(name, other_outputs):
    here = cases.compute_case(name)
    there = {k: v for k, v in other_outputs.items() if k.startswith(name + "/")}
    assert sorted(here) == sorted(there)
    for key, value in here.items():
        assert value.shape == there[key].shape, key
        assert value.dtype == there[key].dtype, key
        diff = float(np.max(np.abs(value.astype(np.float64) - there[key]))) if value.size else 0.0
        assert diff <= 1e-5, f"{key}: max abs diff {diff} between backends"
