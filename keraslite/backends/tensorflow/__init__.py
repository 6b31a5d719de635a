"""The TensorFlow backend.

TensorFlow's TFLite helpers try ``import jax`` at import time when jax happens to be installed
(an optional converter path, guarded by ``except ImportError``). keraslite promises that the
tensorflow backend never imports jax, so jax is hidden while tensorflow is first imported;
afterwards user code may import jax as usual.
"""
import importlib.abc
import sys


class _HideJax(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "jax" or name.startswith("jax.") or name == "jaxlib" or name.startswith("jaxlib."):
            raise ImportError(f"{name} is hidden while the keraslite tensorflow backend loads")
        return None


if "tensorflow" not in sys.modules and "jax" not in sys.modules:
    _guard = _HideJax()
    sys.meta_path.insert(0, _guard)
    try:
        import tensorflow  # noqa: F401
    finally:
        sys.meta_path.remove(_guard)
