"""Global settings: the backend (read once at import), floatx, epsilon, image data format."""
from __future__ import annotations

import os

VALID_BACKENDS = ("jax", "tensorflow")


def _read_backend() -> str:
    name = os.environ.get("KERASLITE_BACKEND", "jax").strip().lower() or "jax"
    if name not in VALID_BACKENDS:
        raise ValueError(
            f"KERASLITE_BACKEND must be one of {', '.join(VALID_BACKENDS)}. "
            f"Received: KERASLITE_BACKEND={os.environ.get('KERASLITE_BACKEND')!r}"
        )
    return name


BACKEND = _read_backend()

_settings = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def backend() -> str:
    """The name of the active backend: "jax" or "tensorflow"."""
    return BACKEND


def floatx() -> str:
    return _settings["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"floatx must be a float dtype name. Received: {value!r}")
    _settings["floatx"] = value


def epsilon() -> float:
    return _settings["epsilon"]


def set_epsilon(value: float) -> None:
    _settings["epsilon"] = float(value)


def image_data_format() -> str:
    return _settings["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    value = data_format  # Keras's parameter name
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"image_data_format must be 'channels_last' or 'channels_first'. Received: {value!r}"
        )
    _settings["image_data_format"] = value


# -- persistent compilation cache ----------------------------------------------------------------
COMPILATION_CACHE_VARIABLE = "KERASLITE_COMPILATION_CACHE_DIR"


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "keraslite", "compilation_cache", BACKEND)


def _backend_cache():
    import importlib

    return importlib.import_module(f"keraslite.backends.{BACKEND}.compilation_cache")


def enable_compilation_cache(path: str | os.PathLike | None = None) -> str:
    """Saves compiled programs on disk so that later processes skip their compilation.

    The first ``fit``/``evaluate``/``predict`` of a process compiles its loops; with the cache
    on, a second run of the same script reads them from ``path`` instead (JAX: every compiled
    program; TensorFlow: XLA's compilation, effective only if enabled before the first compiled
    call). Off by default. The environment variable ``KERASLITE_COMPILATION_CACHE_DIR`` turns it
    on when keraslite is imported.

    Args:
        path: a directory, created if missing. Default: ``$KERASLITE_COMPILATION_CACHE_DIR``, else
            ``~/.cache/keraslite/compilation_cache/<backend>``.

    Returns the directory used. A compiled program read from the cache runs as code of this
    process, so the directory must not be writable by other users (ValueError otherwise).
    """
    if path is None:
        path = os.environ.get(COMPILATION_CACHE_VARIABLE) or _default_cache_dir()
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise TypeError(
            f"enable_compilation_cache(path) expects a directory path (str or os.PathLike). "
            f"Received: path={path!r}"
        )
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"The compilation cache path must be a directory. Received: {path!r}, "
                         "which is a file")
    os.makedirs(path, mode=0o700, exist_ok=True)
    if os.name == "posix" and os.stat(path).st_mode & 0o022:
        raise ValueError(
            f"The compilation cache directory {path!r} is writable by other users; programs "
            "read from it run as this process's code. Use a private directory (chmod 700)."
        )
    _backend_cache().enable(path)
    _settings["compilation_cache_dir"] = path
    return path


def disable_compilation_cache() -> None:
    """Stops reading and writing the persistent compilation cache (JAX; on TensorFlow, only
    before the first compiled call)."""
    _backend_cache().disable()
    _settings["compilation_cache_dir"] = None


def compilation_cache_dir() -> str | None:
    """The directory of the persistent compilation cache, or None when it is off."""
    return _settings.get("compilation_cache_dir")


def _enable_compilation_cache_from_environment() -> None:
    """Called by the backend package on import: honours KERASLITE_COMPILATION_CACHE_DIR."""
    path = os.environ.get(COMPILATION_CACHE_VARIABLE)
    if not path:
        return
    try:
        enable_compilation_cache(path)
    except (OSError, TypeError, ValueError) as error:
        import warnings

        warnings.warn(f"{COMPILATION_CACHE_VARIABLE} is ignored: {error}", stacklevel=2)


# -- the rest of keras.config ------------------------------------------------------------------
_flags = {"traceback_filtering": True, "interactive_logging": True, "unsafe_warned": False}


def set_dtype_policy(policy) -> None:
    """Sets the global dtype policy (``"float32"``, ``"mixed_float16"``, ...), as
    ``keras.config.set_dtype_policy``."""
    from keraslite import mixed_precision

    mixed_precision.set_global_policy(policy)


def dtype_policy():
    """The global dtype policy, as ``keras.config.dtype_policy``."""
    from keraslite import mixed_precision

    return mixed_precision.global_policy()


def enable_traceback_filtering() -> None:
    """Accepted for Keras compatibility: keraslite's tracebacks are short already."""
    _flags["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    _flags["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    return _flags["traceback_filtering"]


def enable_interactive_logging() -> None:
    _flags["interactive_logging"] = True


def disable_interactive_logging() -> None:
    _flags["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    return _flags["interactive_logging"]


def enable_unsafe_deserialization() -> None:
    """Exists so Keras scripts run; keraslite still never runs code from a file (a saved model
    names classes from a closed registry, and lambdas are not saved). Warns once."""
    if not _flags["unsafe_warned"]:
        import warnings

        warnings.warn("enable_unsafe_deserialization() has no effect in keraslite: loading a "
                      "file never runs code from it. Register custom classes with "
                      "keraslite.saving.register_serializable or pass custom_objects.",
                      stacklevel=2)
        _flags["unsafe_warned"] = True


# -- debugging limits on fit, flash attention, backend switching -------------------------------
def _limit_from_environment(variable: str) -> int | None:
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{variable} must be a positive integer. Received: {variable}={value!r}")
    return int(value)


# Keras reads KERAS_MAX_EPOCHS / KERAS_MAX_STEPS_PER_EPOCH; keraslite's variables follow the
# KERASLITE_ prefix of its other settings.
_limits = {"max_epochs": _limit_from_environment("KERASLITE_MAX_EPOCHS"),
           "max_steps_per_epoch": _limit_from_environment("KERASLITE_MAX_STEPS_PER_EPOCH"),
           "flash_attention": None}


def _check_limit(name: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"set_{name}: argument `{name}` must be a positive integer or None. "
                         f"Received: {name}={value!r}")
    return value


def set_max_epochs(max_epochs: int | None) -> None:
    """Caps the epochs of every ``fit`` (None: no cap), to run a script quickly while
    debugging; ``KERASLITE_MAX_EPOCHS`` sets it at import."""
    _limits["max_epochs"] = _check_limit("max_epochs", max_epochs)


def max_epochs() -> int | None:
    """The cap set by ``set_max_epochs``, or None."""
    return _limits["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Caps the training steps of each ``fit`` epoch (None: no cap);
    ``KERASLITE_MAX_STEPS_PER_EPOCH`` sets it at import."""
    _limits["max_steps_per_epoch"] = _check_limit("max_steps_per_epoch", max_steps_per_epoch)


def max_steps_per_epoch() -> int | None:
    """The cap set by ``set_max_steps_per_epoch``, or None."""
    return _limits["max_steps_per_epoch"]


def capped_fit_lengths(epochs: int, steps_per_epoch: int | None) -> tuple[int, int | None]:
    """``(epochs, steps_per_epoch)`` of a ``fit`` call within the caps above, warning when a
    cap shortens them (as Keras does)."""
    import warnings

    cap = _limits["max_epochs"]
    if cap is not None and cap < epochs:
        warnings.warn(f"Limiting epochs to {cap} (keraslite.config.set_max_epochs)", stacklevel=3)
        epochs = cap
    cap = _limits["max_steps_per_epoch"]
    if cap is not None and (steps_per_epoch is None or cap < steps_per_epoch):
        warnings.warn(f"Limiting steps_per_epoch to {cap} "
                      "(keraslite.config.set_max_steps_per_epoch)", stacklevel=3)
        steps_per_epoch = cap
    return epochs, steps_per_epoch


def enable_flash_attention() -> None:
    """Lets attention use a fused flash kernel where the backend picks one (Keras's default).

    keraslite's attention calls the backend's ``dot_product_attention``; no flash kernel runs
    on a CPU, so on CPU this switch changes nothing. Like Keras, the setting reads back as
    None ("where available")."""
    _limits["flash_attention"] = None


def disable_flash_attention() -> None:
    """Asks attention layers not to use a flash kernel (reads back as False)."""
    _limits["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """None (the default: used where available) or False after ``disable_flash_attention``."""
    return _limits["flash_attention"]


def is_nnx_enabled() -> bool:
    """Always False: keraslite layers are not Flax NNX modules."""
    return False


def set_backend(backend: str) -> None:
    """Refuses: keraslite's backend is fixed when it is imported, from ``KERASLITE_BACKEND``.

    Keras reloads its modules to switch; keraslite's compiled steps and arrays belong to one
    backend, so switching in a running process is not supported."""
    raise RuntimeError(
        f"keraslite.config.set_backend({backend!r}) is not supported: the backend is chosen "
        f"once, before import, by the environment variable KERASLITE_BACKEND (now {BACKEND!r}). "
        f"Run the script again with KERASLITE_BACKEND={backend} set."
    )
