"""``serialize_keras_object`` / ``deserialize_keras_object``: any keraslite object as plain
JSON-ready data in Keras's layout, and back.

An object with ``get_config`` becomes ``{"module", "class_name", "config", "registered_name"}``;
a built-in or registered function becomes a ``"function"`` entry naming it; NumPy arrays and
tuples use Keras's ``__numpy__``/``__tuple__`` tags. Reading is closed, like the rest of
``saving``: a class name resolves only to ``custom_objects``, a registered class, or a class of
keraslite's own families (layers, activations, initializers, regularizers, constraints, losses,
metrics, optimizers, dtype policies). ``module`` is a hint for which family to look in, never
something to import, so a crafted config cannot run code whatever ``safe_mode`` says.
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any

import numpy as np

from keraslite.saving import serialization

# Family -> (module whose ``_REGISTRY`` holds the class table). Layers are looked up through
# serialization's own table of layer and model classes.
_FAMILIES = ("activations", "initializers", "regularizers", "constraints", "losses", "metrics",
             "optimizers")
_PRIMITIVES = (str, bool, int, float, type(None))


def _family_table(family: str) -> dict[str, Any]:
    module = importlib.import_module(f"keraslite.{family}")
    if family == "activations":
        return dict(module.ALL_OBJECTS)
    registry = module._REGISTRY
    table = dict(registry.objects)
    table.update(registry.functions or {})
    return table


def _family_of(obj_type: type) -> str | None:
    parts = obj_type.__module__.split(".")
    if parts[0] != "keraslite" or len(parts) < 2:
        return None
    return parts[1]


def serialize_keras_object(obj: Any) -> Any:
    """``obj`` as JSON-ready data: primitives as they are, containers element by element,
    objects as config dicts, functions by their registered name."""
    from keraslite import dtype_policies
    from keraslite.layers.layer import Layer

    if isinstance(obj, _PRIMITIVES):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, list):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(serialize_keras_object(v) for v in obj)
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, (dtype_policies.DTypePolicy, dtype_policies.DTypePolicyMap)):
        return dtype_policies.serialize(obj)
    if isinstance(obj, np.ndarray) or (hasattr(obj, "shape") and hasattr(obj, "dtype")
                                       and not hasattr(obj, "get_config")):
        array = np.asarray(obj)
        return {"class_name": "__numpy__",
                "config": {"value": array.tolist(), "dtype": array.dtype.name}}
    if isinstance(obj, Layer):  # layers and models in Keras 3's form, as Keras writes them
        from keraslite.layers.serialization import serialize

        return serialize(obj)
    registered = getattr(obj, "_registered_name", None)
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        family = _family_of(type(obj))
        return {"module": None if registered or family is None else f"keras.{family}",
                "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": registered}
    if callable(obj) and hasattr(obj, "__name__"):
        if registered:
            return {"module": None, "class_name": "function", "config": registered,
                    "registered_name": registered}
        family = _family_of(obj) if hasattr(obj, "__module__") else None
        if family and _family_table(family).get(obj.__name__) is obj:
            return {"module": "builtins", "class_name": "function", "config": obj.__name__,
                    "registered_name": "function"}
    raise ValueError(
        f"serialize_keras_object: cannot serialize {obj!r:.80}: it is neither plain data, an "
        "object with get_config, nor a built-in or registered function (register it with "
        "keraslite.saving.register_keras_serializable).")


def _resolve(class_name: str, registered_name, module, custom_objects: dict | None):
    """The class or function a config names, from the closed tables only."""
    for name in (registered_name, class_name):
        if not isinstance(name, str):
            continue
        found = serialization.get_registered_object(name, custom_objects)
        if found is not None:
            return found
    hint = module.split(".")[1] if isinstance(module, str) and module.startswith("keras.") \
        else None
    families = ([hint] if hint in _FAMILIES else []) + [f for f in _FAMILIES if f != hint]
    for family in families:
        found = _family_table(family).get(class_name)
        if found is not None:
            return found
    return None


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None,
                             safe_mode: bool = True, **kwargs) -> Any:
    """The object ``config`` (as ``serialize_keras_object`` or Keras writes it) describes.

    ``safe_mode`` is accepted for Keras's signature; keraslite never runs code from a config
    either way (no lambdas, no imports by name)."""
    from keraslite import dtype_policies
    from keraslite.layers.layer import Layer

    if isinstance(config, _PRIMITIVES):
        return config
    if isinstance(config, (list, tuple)):
        values = [deserialize_keras_object(v, custom_objects, safe_mode) for v in config]
        return values if isinstance(config, list) else tuple(values)
    if not isinstance(config, dict):
        raise TypeError("deserialize_keras_object: argument `config` must be plain data (dict, "
                        f"list, str, number). Received: {type(config).__name__}")
    if "class_name" not in config:
        return {key: deserialize_keras_object(value, custom_objects, safe_mode)
                for key, value in config.items()}
    class_name, inner = config["class_name"], config.get("config")
    if not isinstance(class_name, str):
        raise TypeError("deserialize_keras_object: 'class_name' must be a string. Received: "
                        f"{type(class_name).__name__}")
    if class_name == "__numpy__":
        return np.asarray(inner["value"], dtype=np.dtype(inner["dtype"]))
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(inner["value"], custom_objects, safe_mode))
    if class_name in dtype_policies.ALL_OBJECTS and config.get("module") in (
            "keras", "keras.dtype_policies", None):
        return dtype_policies.deserialize(config, custom_objects)
    if class_name == "function":
        if not isinstance(inner, str):
            raise ValueError("deserialize_keras_object: a 'function' entry names the function "
                             f"in 'config'. Received: config={inner!r:.80}")
        registered = config.get("registered_name")
        found = _resolve(inner, None if registered == "function" else registered, None,
                         custom_objects)
        if found is None or not callable(found) or isinstance(found, type):
            raise serialization.unknown_class_error(f"Unknown function '{inner}'.", inner)
        return found
    cls = _resolve(class_name, config.get("registered_name"), config.get("module"),
                   custom_objects)
    if cls is None:
        raise serialization.unknown_class_error(f"Unknown class '{class_name}'.", class_name)
    if isinstance(cls, type) and issubclass(cls, Layer) and config.get("module") is not None:
        from keraslite.layers.serialization import deserialize

        merged = dict(custom_objects or {})
        merged.setdefault(class_name, cls)
        return deserialize(config, merged)
    if isinstance(cls, type) and issubclass(cls, Layer):
        layer_config = {"class_name": class_name, "config": inner or {}}
        if config.get("build_config"):
            layer_config["build_config"] = config["build_config"]
        merged = dict(custom_objects or {})
        merged.setdefault(class_name, cls)
        return serialization.deserialize_layer(layer_config, merged)
    if not isinstance(cls, type):
        return cls  # a function named as a class (Keras writes some losses this way)
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise TypeError(f"deserialize_keras_object: the 'config' of {class_name} must be a "
                        f"dict. Received: {type(inner).__name__}")
    takes_objects = "custom_objects" in inspect.signature(cls.from_config).parameters
    return (cls.from_config(inner, custom_objects=custom_objects) if takes_objects
            else cls.from_config(inner))


__all__ = ["serialize_keras_object", "deserialize_keras_object"]
