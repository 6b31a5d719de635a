"""``register_keras_serializable`` and ``get_registered_name`` under their ``keras.utils``
names; the registry itself lives in ``keraslite.saving.serialization``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register_keras_serializable(package: str = "Custom",
                                name: str | None = None) -> Callable[[type], type]:
    """Class decorator: a custom class becomes loadable by the name ``package>Name``."""
    from keraslite.saving.serialization import register_serializable

    return register_serializable(package, name)


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under, else its own ``__name__`` (as in Keras)."""
    registered = getattr(obj, "_registered_name", None)
    if isinstance(registered, str):
        return registered
    return getattr(obj, "__name__", type(obj).__name__)
