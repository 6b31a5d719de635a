"""Weight initializers: ``get`` resolves names, configs, instances and callables.

Example::

    init = keraslite.initializers.get("glorot_uniform")
    kernel = init((784, 128), dtype="float32")   # a NumPy array
"""
from __future__ import annotations

from keraslite.initializers.constant import Constant, Identity, Ones, Zeros
from keraslite.initializers.initializer import Initializer, RandomInitializer, compute_fans
from keraslite.initializers.random_initializers import (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
    RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
)
from keraslite.utils.naming import to_snake_case

_CLASSES = (
    Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
    Orthogonal,
)
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS.update({"zero": Zeros, "one": Ones, "uniform": RandomUniform, "normal": RandomNormal,
                    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal})

# Keras-style lowercase function aliases: keraslite.initializers.glorot_uniform(seed=1) etc.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def serialize(initializer) -> dict:
    """A Keras-style ``{"class_name": ..., "config": ...}`` dict."""
    if not isinstance(initializer, Initializer):
        raise TypeError(
            f"initializers.serialize expects an Initializer instance. Received: {initializer!r}"
        )
    return {"module": "keraslite.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> Initializer:
    """Builds an initializer from a ``{"class_name", "config"}`` dict."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "initializers.deserialize expects a dict with 'class_name' and 'config'. "
            f"Received: {config!r}"
        )
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        raise ValueError(_unknown(name))
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """Resolves a name, a config dict, an Initializer or any callable ``(shape, dtype)``."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier)
        if cls is None:
            raise ValueError(_unknown(identifier))
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Pass a name, a config "
        "dict, an Initializer or a callable (shape, dtype) -> array."
    )


def _unknown(name) -> str:
    valid = sorted(k for k in ALL_OBJECTS if k == k.lower())
    return f"Unknown initializer: {name!r}. Valid names: {', '.join(valid)} (or their class names)."


__all__ = [
    "Initializer", "RandomInitializer", "compute_fans", "get", "serialize", "deserialize",
    *(cls.__name__ for cls in _CLASSES),
]
