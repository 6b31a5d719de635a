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


def get_custom_objects() -> dict[str, Any]:
    """The global ``name -> class`` table that loading consults (what
    ``register_keras_serializable`` fills); adding an entry registers a class by that name."""
    # The saving registry's own table, so that what is added here is what loading sees.
    from keraslite.saving.serialization import _REGISTRY

    return _REGISTRY


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}): load_model(...)``: the classes are
    known by those names inside the block only. Loading still builds only classes that code
    registered this way; nothing is imported by a name read from a file."""

    def __init__(self, custom_objects: dict[str, Any] | None = None, *more: dict[str, Any]):
        self.custom_objects: dict[str, Any] = {}
        for table in (custom_objects or {},) + more:
            if not isinstance(table, dict):
                raise TypeError("custom_object_scope takes dicts of name -> class. Received: "
                                f"{type(table).__name__}")
            self.custom_objects.update(table)
        self._saved: dict[str, Any] | None = None

    def __enter__(self) -> CustomObjectScope:
        table = get_custom_objects()
        self._saved = dict(table)
        table.update(self.custom_objects)
        return self

    def __exit__(self, *exc_info) -> None:
        table = get_custom_objects()
        table.clear()
        table.update(self._saved or {})


custom_object_scope = CustomObjectScope
