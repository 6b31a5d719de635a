"""Keras 3 application structures, computed once in a subprocess and cached on disk.

Building Keras's applications takes tens of seconds on a busy 2-core machine, and the suite
runs once per backend: the Keras result does not depend on keraslite's backend, so it is cached
in the temporary folder, keyed by the Keras version, the oracle script and the specs.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def _keras_version() -> str:
    try:
        import importlib.metadata as metadata

        return metadata.version("keras")
    except Exception:  # noqa: BLE001 - no Keras: the oracle cannot run
        return ""


def run_script(script: str, payload, timeout: int = 600):
    """Runs ``script`` (in this folder) with JSON ``payload`` on stdin; returns its JSON stdout
    and the folder it may write files to (``ORACLE_OUT``), both cached."""
    version = _keras_version()
    if not version:
        pytest.skip("Keras 3 (the oracle) is not installed")
    source = (HERE / script).read_bytes()
    key = hashlib.sha256(version.encode() + source + json.dumps(payload).encode()).hexdigest()
    root = pathlib.Path(tempfile.gettempdir()) / "keraslite-applications-oracle"
    cache, out_dir = root / f"{key}.json", root / key
    if cache.is_file() and out_dir.is_dir():
        return json.loads(cache.read_text()), out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3",
           "ORACLE_OUT": str(out_dir)}
    proc = subprocess.run([sys.executable, str(HERE / script)], input=json.dumps(payload),
                          capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        pytest.skip(f"Keras 3 (the oracle) raised: {proc.stderr.strip()[-800:]}")
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(proc.stdout)
    os.replace(tmp, cache)  # last: a half-written folder is never taken for a result
    return json.loads(proc.stdout), out_dir
