"""The Keras-written corpus of ``.keras`` archives, generated once and shared by test sessions.

Keras writes the corpus in one subprocess (keraslite never imports keras). The files depend only
on the case builders, the oracle script and the Keras version, so they are kept in a per-user
cache folder named by a hash of those: the jax and tensorflow runs of the suite generate it once.
The folder is written under a temporary name and renamed into place, so a run never sees half a
corpus.
"""
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCES = ("keras_archive_cases.py", "keras_archive_oracle.py")


def _key() -> str:
    digest = hashlib.sha256(importlib.metadata.version("keras").encode())
    for name in _SOURCES:
        with open(os.path.join(HERE, name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:16]


def run_oracle(mode: str, folder: str) -> None:
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("KERASLITE_BACKEND", None)
    result = subprocess.run([sys.executable, os.path.join(HERE, "keras_archive_oracle.py"), mode,
                             folder], env=env, capture_output=True, text=True, timeout=600,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-3000:]


def corpus_dir() -> str:
    """The folder of Keras-written archives and oracle outputs (skips without Keras)."""
    try:
        importlib.metadata.version("keras")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("Keras 3 is not installed; it writes the corpus these tests read.")
    root = os.path.join(tempfile.gettempdir(), f"keraslite-keras-corpus-{os.getuid()}")
    os.makedirs(root, mode=0o700, exist_ok=True)
    final = os.path.join(root, _key())
    if os.path.isdir(final):
        return final
    building = tempfile.mkdtemp(dir=root, prefix="building-")
    run_oracle("write", building)
    try:
        os.rename(building, final)
    except OSError:  # another session finished first: use its copy
        shutil.rmtree(building, ignore_errors=True)
    return final
