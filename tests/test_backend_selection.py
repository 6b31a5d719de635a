"""KERASLITE_BACKEND picks the backend once; the other backend is never imported."""
import os
import subprocess
import sys

import keraslite

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FIT_SCRIPT = """
import sys
import numpy as np
import keraslite
from keraslite import layers
x = np.random.rand(64, 8).astype("float32")
y = np.random.randint(0, 3, size=64)
model = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(4, activation="relu"),
                              layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=1, batch_size=16, verbose=0)
model.predict(x[:2], verbose=0)
print("backend", keraslite.backend.backend())
print("jax", "jax" in sys.modules)
print("tensorflow", "tensorflow" in sys.modules)
"""


def _run(code, backend):
    env = {**os.environ, "KERASLITE_BACKEND": backend, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)


def test_active_backend_matches_environment():
    expected = os.environ.get("KERASLITE_BACKEND", "jax") or "jax"
    assert keraslite.backend.backend() == expected


def test_unknown_backend_raises_listing_valid_names():
    result = _run("import keraslite", "torch")
    assert result.returncode != 0
    assert "ValueError" in result.stderr
    assert "jax" in result.stderr and "tensorflow" in result.stderr and "'torch'" in result.stderr


def test_fit_does_not_import_the_other_backend():
    # The suite runs once per backend, so each run checks its own backend.
    backend = keraslite.backend.backend()
    other = "tensorflow" if backend == "jax" else "jax"
    result = _run(FIT_SCRIPT, backend)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["backend"] == backend
    assert lines[backend] == "True"
    assert lines[other] == "False", f"{other} was imported under KERASLITE_BACKEND={backend}"


def test_import_keraslite_does_not_import_the_other_backend():
    backend = keraslite.backend.backend()
    other = "tensorflow" if backend == "jax" else "jax"
    code = ("import sys, keraslite, keraslite.layers, keraslite.models\n"
            f"print('{other}' in sys.modules)")
    result = _run(code, backend)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "False"
