"""Weight regularizers (L1, L2, L1L2, OrthogonalRegularizer) and ``get``.

Example::

    layer = keraslite.layers.Dense(3, kernel_regularizer=keraslite.regularizers.L2(1e-4))
"""
from __future__ import annotations

from keraslite.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer

ALL_OBJECTS = {"Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
               "OrthogonalRegularizer": OrthogonalRegularizer, "l1": L1, "l2": L2,
               "l1_l2": L1L2, "l1l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer) -> dict:
    return {"module": "keraslite.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None):
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        raise ValueError(_unknown(name))
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A regularizer from a name ("l1", "l2", "l1_l2"), a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier)
        if cls is None:
            raise ValueError(_unknown(identifier))
        return cls()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


def _unknown(name):
    return f"Unknown regularizer: {name!r}. Valid names: {', '.join(sorted(ALL_OBJECTS))}."


__all__ = ["Regularizer", "L1", "L2", "L1L2", "get", "serialize", "deserialize"]
