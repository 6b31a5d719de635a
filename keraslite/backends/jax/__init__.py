"""The JAX backend: XLA on CPU, GPU and TPU."""
from keraslite import config as _config

# KERASLITE_COMPILATION_CACHE_DIR turns the persistent compilation cache on at import.
_config._enable_compilation_cache_from_environment()
