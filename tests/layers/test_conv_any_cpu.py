"""Convolutions and pooling compute every configuration on every x86-64 CPU.

TensorFlow's generic CPU kernels lack some configurations (unequal depthwise strides,
channels_first, dilated transposed convolutions, grouped-convolution gradients) that oneDNN, on
only on some Intel CPUs, provides; keraslite rewrites them into ones the kernels take. Each case
(any_cpu_conv_cases) is checked twice:

* in this process, on the backend under test, against a NumPy reference: the output, and the
  gradients of a fixed read-out along a random direction (a float64 central difference of the
  reference, exact for these piecewise-linear maps);
* on TensorFlow with oneDNN off (TF_ENABLE_ONEDNN_OPTS=0: the kernels an AMD CPU gets), run once
  in a subprocess, against this process' results. The subprocess is the same whichever backend
  is under test: under JAX it is a cross-backend check, under TensorFlow it compares TF without
  oneDNN with TF as this machine runs it (with oneDNN where the CPU has it).
"""
import functools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import any_cpu_conv_cases as cases

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


@functools.lru_cache(maxsize=None)
def _computed(name):
    """This process' results for a case, computed once for both checks."""
    return cases.compute_case(name)


def _directional(f, point, direction, eps=1e-6):
    return (f(point + eps * direction) - f(point - eps * direction)) / (2 * eps)


@pytest.mark.parametrize("name", cases.CASE_NAMES)
def test_matches_numpy_reference(name):
    x, weights, reference = cases.reference_case(name)
    result = _computed(name)
    expected = reference(x, weights)
    out = result[f"{name}/output"]
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)

    r = cases.readout(name, out.shape).astype(np.float64)
    params = [x.astype(np.float64)] + [w.astype(np.float64) for w in weights]
    rng = np.random.default_rng(7)
    for i, p in enumerate(params):
        grad = result[f"{name}/grad_{i}"]
        assert grad.shape == p.shape, f"grad_{i}"
        direction = rng.standard_normal(p.shape)

        def loss(value, i=i):
            args = params[:i] + [value] + params[i + 1:]
            return float(np.sum(reference(args[0], args[1:]) * r))

        expected_d = _directional(loss, p, direction)
        scale = float(np.sum(np.abs(grad) * np.abs(direction))) + 1.0
        assert abs(float(np.sum(grad * direction)) - expected_d) <= 1e-4 * scale, \
            f"grad_{i}: {float(np.sum(grad * direction))} != {expected_d}"


@pytest.fixture(scope="module")
def tensorflow_without_onednn(tmp_path_factory):
    pytest.importorskip("tensorflow")
    path = tmp_path_factory.mktemp("any_cpu") / "tensorflow_no_onednn.npz"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import any_cpu_conv_cases as c; "
        "import numpy as np; np.savez(sys.argv[2], **c.compute_all())"
    )
    env = {**os.environ, "KERASLITE_BACKEND": "tensorflow", "TF_ENABLE_ONEDNN_OPTS": "0",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", script, str(HERE), str(path)], env=env,
                            cwd=str(REPO), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, \
        f"TensorFlow without oneDNN failed:\n{result.stderr[-4000:]}"
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("name", cases.CASE_NAMES)
def test_tensorflow_without_onednn_agrees(name, tensorflow_without_onednn):
    here = _computed(name)
    there = {k: v for k, v in tensorflow_without_onednn.items() if k.startswith(name + "/")}
    assert sorted(here) == sorted(there)
    for key, value in here.items():
        assert value.shape == there[key].shape, key
        np.testing.assert_allclose(there[key], value, rtol=1e-4, atol=1e-4, err_msg=key)
