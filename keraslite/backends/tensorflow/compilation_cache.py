"""TensorFlow's persistent XLA cache: programs compiled by ``tf.function(jit_compile=True)``
saved on disk and reused by later processes (see ``keraslite.config.enable_compilation_cache``).

TensorFlow reads its XLA flags (``TF_XLA_FLAGS``) once, at its first XLA compilation, so the
cache takes effect only when it is enabled before the first compiled call of the process (the
``KERASLITE_COMPILATION_CACHE_DIR`` environment variable always is). Python tracing of the
model is not cached: only XLA's compilation is. Models that run without XLA (those with
convolutions, see ``compile.py``) gain nothing.
"""
from __future__ import annotations

import os
import shlex

FLAG = "--tf_xla_persistent_cache_directory"


def _flags_without_cache() -> list:
    flags = shlex.split(os.environ.get("TF_XLA_FLAGS", ""))
    return [f for f in flags if not f.startswith(FLAG + "=")]


def enable(path: str) -> None:
    """Saves XLA programs under ``path`` (takes effect before the first XLA compilation)."""
    os.environ["TF_XLA_FLAGS"] = shlex.join(_flags_without_cache() + [f"{FLAG}={path}"])


def disable() -> None:
    flags = _flags_without_cache()
    if flags:
        os.environ["TF_XLA_FLAGS"] = shlex.join(flags)
    else:
        os.environ.pop("TF_XLA_FLAGS", None)
