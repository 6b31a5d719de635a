"""Config (de)serialization through a closed registry.

A config names a class only by its registered name (``"Dense"``, or ``"package>Name"`` for user
classes registered with ``register_serializable``). Deserializing looks that name up in the
registry or in ``custom_objects``; it never imports a module or evaluates anything named in the
config, so a crafted config cannot run code.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from keraslite.layers.layer import Layer
    from keraslite.utils.typing import Config

_T = TypeVar("_T", bound=type)

_REGISTRY: dict[str, type] = {}


def register_serializable(package: str = "Custom",
                          name: str | None = None) -> Callable[[_T], _T]:
    """Class decorator: makes a custom layer/loss/metric loadable by the name ``package>Name``."""

    def decorator(cls: _T) -> _T:
        key = f"{package}>{name or cls.__name__}"
        existing = _REGISTRY.get(key)
        if existing is not None and existing is not cls:
            raise ValueError(f"'{key}' is already registered to {existing.__qualname__}.")
        _REGISTRY[key] = cls
        cls._registered_name = key  # type: ignore[attr-defined]
        return cls

    return decorator


_BUILTINS: dict[str, type] = {}


def _builtin_layers():
    """keraslite's own layer and model classes by name (the closed set a config may name)."""
    if not _BUILTINS:
        from keraslite import layers, models
        from keraslite.layers.core.op_layer import OpLayer

        from keraslite.layers.layer import Layer

        for module in (layers, models):
            for attr in dir(module):
                obj = getattr(module, attr)
                # Layer classes only: a config must not name InputSpec or any helper class.
                if isinstance(obj, type) and issubclass(obj, Layer):
                    _BUILTINS[attr] = obj
        _BUILTINS["OpLayer"] = OpLayer
    return _BUILTINS


_AUTOML_PREFIX = "keraslite.automl>"


def get_registered_object(name: str, custom_objects: dict[str, Any] | None = None,
                          module_objects: dict[str, Any] | None = None) -> Any:
    """The class for ``name`` from custom_objects, the user registry, ``module_objects`` (a
    dict the caller passes, as in Keras), or keraslite's own layers."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name.startswith(_AUTOML_PREFIX) and name not in _REGISTRY:
        # keraslite's own automl classes register when keraslite.automl is imported; a fixed
        # module of this package, never one named by the file.
        import keraslite.automl  # noqa: F401
    if name in _REGISTRY:
        return _REGISTRY[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    short = name.split(">")[-1]
    if custom_objects and short in custom_objects:
        return custom_objects[short]
    builtins = _builtin_layers()
    if name in builtins:
        return builtins[name]
    return None


def unknown_class_error(what: str, class_name: str) -> ValueError:
    """The error for a class a config names but nothing registers, saying how to register it."""
    return ValueError(
        f"{what} keraslite only creates its own classes and classes registered with "
        "keraslite.saving.register_serializable(...) or passed in custom_objects={'"
        + class_name.split(">")[-1] + "': TheClass}."
    )


def serialize_layer(layer: Layer) -> Config:
    cls = type(layer)
    class_name = getattr(cls, "_registered_name", None) or cls.__name__
    config: Config = {"class_name": class_name, "config": layer.get_config()}
    build_config = layer.get_build_config() if hasattr(layer, "get_build_config") else None
    if build_config:
        config["build_config"] = build_config
    return config


def deserialize_layer(config: Config, custom_objects: dict[str, Any] | None = None) -> Layer:
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "A layer config must be a dict with 'class_name' and 'config'. "
            f"Received: {type(config).__name__}"
        )
    class_name = config["class_name"]
    if not isinstance(class_name, str):
        raise ValueError(f"'class_name' must be a string. Received: {type(class_name).__name__}")
    cls = get_registered_object(class_name, custom_objects)
    if cls is None:
        raise unknown_class_error(f"Unknown layer class '{class_name}'.", class_name)
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"The 'config' of a '{class_name}' layer must be a dict. Received: "
                         f"{type(inner).__name__}")
    inner = dict(inner)
    _check_base_keys(inner, class_name)
    build_config = config.get("build_config")
    if build_config:
        _check_build_config(build_config, class_name)
    try:
        if (hasattr(cls.from_config, "__func__")
                and "custom_objects" in cls.from_config.__code__.co_varnames):
            layer = cls.from_config(inner, custom_objects=custom_objects)
        else:
            layer = cls.from_config(inner)
        if build_config and hasattr(layer, "build_from_config") and not layer.built:
            layer.build_from_config(build_config)
    except (ValueError, TypeError) as error:
        raise _in_layer(error, class_name, inner.get("name")) from error
    return layer


# Keys every layer config shares, and the JSON types they must have. A file saying
# "trainable": "no" would otherwise load as trainable (a non-empty string is truthy).
_BASE_KEY_TYPES = {"name": (str,), "trainable": (bool,), "dtype": (str, dict, type(None))}


def _check_base_keys(inner, class_name):
    from keraslite.utils.text import short_repr

    for key, types in _BASE_KEY_TYPES.items():
        if key in inner and not isinstance(inner[key], types):
            label = inner.get("name") if isinstance(inner.get("name"), str) else "?"
            expected = " or ".join("null" if t is type(None) else
                                   {"str": "a string", "bool": "true/false",
                                    "dict": "a dict"}[t.__name__] for t in types)
            raise TypeError(f"Layer '{label}' ({class_name}): config key '{key}' must be "
                            f"{expected}. Received: {short_repr(inner[key])} "
                            f"({type(inner[key]).__name__})")


def _in_layer(error, class_name, name):
    """``error`` with the layer it came from named, once (the innermost layer of nested models).

    A subclass (a documented keraslite error, a user's own) is returned as it is.
    """
    if type(error) not in (ValueError, TypeError) or getattr(error, "_names_layer", False):
        return error
    label = f"'{name}' ({class_name})" if isinstance(name, str) else f"of class {class_name}"
    located = type(error)(f"Could not rebuild layer {label} from its config: {error}")
    located._names_layer = True
    return located


def _check_build_config(build_config, class_name):
    """A build config holds an input shape: ints/None, in lists or a dict of them."""
    if not isinstance(build_config, dict):
        raise ValueError(f"The 'build_config' of a '{class_name}' layer must be a dict. "
                         f"Received: {type(build_config).__name__}")
    shape = build_config.get("input_shape")

    def valid(value, depth):
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return depth > 0
        if depth > 8:
            return False
        if isinstance(value, (list, tuple)):
            return all(valid(v, depth + 1) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and valid(v, depth + 1) for k, v in value.items())
        return False

    if shape is not None and not valid(shape, 0):
        text = repr(shape)
        raise ValueError(f"The 'build_config' of a '{class_name}' layer holds an invalid input "
                         f"shape: {text if len(text) < 80 else text[:77] + '...'}. Expected a "
                         "list of integers or None (or a list or dict of such lists).")
