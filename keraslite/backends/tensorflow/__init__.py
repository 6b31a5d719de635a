"""The TensorFlow backend.

Importing TensorFlow is made quiet and kept free of jax:

* TensorFlow's C++ runtime logs a dozen lines on start-up (CUDA drivers not found, ``cuInit``
  failing on a machine without a GPU, CPU feature notices, XLA service set-up). Unless the user
  set ``TF_CPP_MIN_LOG_LEVEL`` themselves, keraslite sets it to ``3`` (errors that matter reach
  Python as exceptions anyway) before TensorFlow is imported. The lines TensorFlow's shared
  libraries log while they load come before that setting is read (absl prints them with a
  "before absl::InitializeLog()" banner), so while ``import tensorflow`` runs, the process's
  stderr goes to a temporary file; afterwards every line that is not a C++ log record is
  written back to stderr (a Python warning or traceback from the import still shows).
* TensorFlow's TFLite helpers try ``import jax`` at import time when jax happens to be installed
  (an optional converter path, guarded by ``except ImportError``). keraslite promises that the
  tensorflow backend never imports jax, so jax is hidden while tensorflow is first imported;
  afterwards user code may import jax as usual.
"""
import importlib.abc
import os
import re
import sys
import tempfile

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
QUIET_LOG_LEVEL = "3"

# "I0000 00:00:1796600541.801832    4153 port.cc:153] message" (absl/glog record prefix)
_CPP_LOG_RECORD = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\s\]]+:\d+\] ")
_CPP_LOG_EXTRA = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions:",  # second line of the CPU feature notice
)


class _HideJax(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("jax", "jaxlib") or name.startswith(("jax.", "jaxlib.")):
            raise ImportError(f"{name} is hidden while the keraslite tensorflow backend loads")
        return None


def is_cpp_log_line(line: str) -> bool:
    """True for a line TensorFlow's C++ runtime (absl logging) writes to stderr."""
    return bool(_CPP_LOG_RECORD.match(line)) or line.startswith(_CPP_LOG_EXTRA)


def _import_with_stderr_filtered() -> None:
    """Imports tensorflow with file descriptor 2 captured; replays what is not a C++ log."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no usable stderr: nothing to keep quiet
        import tensorflow  # noqa: F401
        return
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            try:
                sys.stderr.flush()
            except (AttributeError, OSError, ValueError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", errors="replace")
            kept = [ln for ln in text.splitlines(keepends=True) if not is_cpp_log_line(ln)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def _import_tensorflow() -> None:
    quiet = LOG_LEVEL_VARIABLE not in os.environ
    if quiet:
        os.environ[LOG_LEVEL_VARIABLE] = QUIET_LOG_LEVEL
    guard = _HideJax() if "jax" not in sys.modules else None
    if guard is not None:
        sys.meta_path.insert(0, guard)
    try:
        if quiet:
            _import_with_stderr_filtered()
        else:
            import tensorflow  # noqa: F401
    finally:
        if guard is not None:
            sys.meta_path.remove(guard)


if "tensorflow" not in sys.modules:
    _import_tensorflow()

# KERASLITE_COMPILATION_CACHE_DIR turns the persistent XLA cache on at import, before anything
# is compiled (TensorFlow reads its XLA flags once).
from keraslite import config as _config  # noqa: E402

_config._enable_compilation_cache_from_environment()
