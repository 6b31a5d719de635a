"""One name table per family (losses, metrics, optimizers, ...) with its ``get``, ``serialize``
and ``deserialize``.

Every family resolves names the same way, so the logic lives here once and each family's
``__init__`` only states what differs: its base class, its name table and its error wording.
Like ``saving.serialization``, it is a closed registry: a name resolves only to an object in the
table or in ``custom_objects``; nothing named in a config is imported or evaluated.

It sits in ``utils`` (below every family) rather than in ``saving`` so that the families, which
rank below ``layers``, can use it without importing upwards.
"""
from __future__ import annotations

from typing import Any, Callable


class ObjectRegistry:
    """The ``get``/``serialize``/``deserialize`` of one family.

    Args:
        kind: the family's word in error messages ("loss", "metric", ...).
        module: the module name written into serialized configs.
        objects: name -> class or function (aliases included).
        base: the family's base class. Instances are returned by ``get`` and serialized as
            configs; subclasses passed to ``get`` are instantiated (when ``accept_callables``).
        functions: name -> built-in function, for families whose ``serialize`` gives a
            function's name (losses, metrics).
        refused_by_name: objects in ``objects`` that ``get`` refuses to build from a name, each
            with its own message (or ``None`` for the unknown-name error); not listed as valid.
        lowercase_listing: list only lowercase names in the unknown-name error.
        listing_suffix: text after the list of valid names (before the final period).
        ignore_case: names also match case-insensitively (optimizers: "Adam", "adam").
        accept_callables: ``get`` passes any callable through (everything but optimizers).
        allow_none: ``get(None)`` returns ``default`` instead of raising.
        default: what ``get(None)`` returns.
        interpret_hint: text after "Could not interpret <kind> identifier: ...".
        config_takes_custom_objects: ``from_config(config, custom_objects)`` (optimizers, whose
            configs nest schedules and inner optimizers).
        serialize_error: builds the error for an object that cannot be serialized.
        config_error: builds the error for a ``deserialize`` argument that is not a dict with a
            "class_name" (default: the unknown-name error).
    """

    def __init__(self, kind: str, module: str, objects: dict[str, Any], base: type | None = None,
                 *, functions: dict[str, Callable] | None = None,
                 refused_by_name: dict[Any, str | None] | None = None,
                 lowercase_listing: bool = False, listing_suffix: str = "",
                 ignore_case: bool = False, accept_callables: bool = True,
                 allow_none: bool = True, default: Any = None, interpret_hint: str = "",
                 config_takes_custom_objects: bool = False,
                 serialize_error: Callable[[Any], Exception] | None = None,
                 config_error: Callable[[Any], Exception] | None = None):
        self.kind = kind
        self.module = module
        self.objects = objects
        self.base = base
        self.functions = functions
        self.refused_by_name = refused_by_name or {}
        self.lowercase_listing = lowercase_listing
        self.listing_suffix = listing_suffix
        self.ignore_case = ignore_case
        self.accept_callables = accept_callables
        self.allow_none = allow_none
        self.default = default
        self.interpret_hint = interpret_hint
        self.config_takes_custom_objects = config_takes_custom_objects
        self.serialize_error = serialize_error
        self.config_error = config_error

    # -- names --------------------------------------------------------------------------------
    def valid_names(self) -> list[str]:
        return sorted(
            name for name, obj in self.objects.items()
            if not _contains(self.refused_by_name, obj)
            and (not self.lowercase_listing or name == name.lower())
        )

    def unknown(self, name) -> ValueError:
        """The error for a name that is in neither the table nor ``custom_objects``."""
        return ValueError(f"Unknown {self.kind}: {name!r}. Valid names: "
                          f"{', '.join(self.valid_names())}{self.listing_suffix}.")

    def lookup(self, name, custom_objects: dict | None = None):
        """The object for ``name`` from ``custom_objects`` or the table (``None`` if absent)."""
        found = (custom_objects or {}).get(name) or self.objects.get(name)
        if found is None and self.ignore_case:
            found = self.objects.get(str(name).lower())
        return found

    # -- the three public functions -------------------------------------------------------------
    def serialize(self, obj):
        """An instance -> ``{"module", "class_name", "config", "registered_name"}``; a
        built-in function -> its name."""
        is_instance = isinstance(obj, self.base) if self.base is not None else False
        if is_instance or (self.serialize_error is None and self.functions is None):
            return {"module": self.module, "class_name": type(obj).__name__,
                    "config": obj.get_config(), "registered_name": None}
        for name, fn in (self.functions or {}).items():
            if fn is obj:
                return name
        raise self.serialize_error(obj)

    def deserialize(self, config, custom_objects: dict | None = None):
        """An object from a ``{"class_name", "config"}`` dict (or a name, where names are
        accepted)."""
        if isinstance(config, str) and self.functions is not None:
            return self.get(config)
        if self.config_error is not None and not (isinstance(config, dict)
                                                   and "class_name" in config):
            raise self.config_error(config)
        name = config.get("class_name") if isinstance(config, dict) else None
        found = self.lookup(name, custom_objects)
        if found is None:
            raise self.unknown(name)
        if not isinstance(found, type):
            return found  # a function named by a config
        inner = dict(config.get("config") or {})
        if self.config_takes_custom_objects:
            return found.from_config(inner, custom_objects)
        return found.from_config(inner)

    def get(self, identifier):
        """An object from a name, a config dict, an instance, a class or a callable."""
        if identifier is None and self.allow_none:
            return self.default
        if self.base is not None and isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            return self._from_name(identifier)
        if self.accept_callables:
            if (self.base is not None and isinstance(identifier, type)
                    and issubclass(identifier, self.base)):
                return identifier()
            if callable(identifier):
                return identifier
        raise ValueError(
            f"Could not interpret {self.kind} identifier: {identifier!r}{self.interpret_hint}")

    def _from_name(self, name: str):
        found = self.lookup(name)
        if found is None:
            raise self.unknown(name)
        if _contains(self.refused_by_name, found):
            message = _get(self.refused_by_name, found)
            raise ValueError(message) if message else self.unknown(name)
        return found() if isinstance(found, type) else found


def _contains(table: dict, obj) -> bool:
    # By identity: functions and classes in the tables need not be hashable in a useful way.
    return any(key is obj for key in table)


def _get(table: dict, obj):
    return next(value for key, value in table.items() if key is obj)

