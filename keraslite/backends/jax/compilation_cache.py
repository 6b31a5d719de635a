"""JAX's persistent compilation cache: compiled XLA programs saved on disk, reused by later
processes (see ``keraslite.config.enable_compilation_cache``).

Every compiled program is saved, however quick its compilation: a small model's first ``fit``
compiles a few dozen small programs (data staging, dtype casts, copies) besides its training
and test loops, and together they cost as much as one loop.
"""
from __future__ import annotations

import jax
from jax.experimental.compilation_cache import compilation_cache as _jax_cache

# Seconds a compilation must take for its program to be saved (JAX's default is 1 s).
MIN_COMPILE_TIME_SECS = 0.0


def enable(path: str) -> None:
    """Saves compiled programs under ``path`` and looks them up there before compiling."""
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_TIME_SECS)
    # JAX sets its cache up on the first compilation; start over so the directory takes
    # effect even after something was compiled.
    _jax_cache.reset_cache()


def disable() -> None:
    jax.config.update("jax_compilation_cache_dir", None)
    _jax_cache.reset_cache()
