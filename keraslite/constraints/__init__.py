"""Weight constraints (MaxNorm, NonNeg, UnitNorm, MinMaxNorm) and ``get``.

Example::

    layer = keraslite.layers.Dense(3, kernel_constraint=keraslite.constraints.MaxNorm(2.0))
"""
from __future__ import annotations

from keraslite.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

ALL_OBJECTS = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def serialize(constraint) -> dict:
    return {"module": "keraslite.constraints", "class_name": type(constraint).__name__,
            "config": constraint.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None):
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        raise ValueError(_unknown(name))
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A constraint from a name, a config dict, an instance or a callable."""
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
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


def _unknown(name):
    return f"Unknown constraint: {name!r}. Valid names: {', '.join(sorted(ALL_OBJECTS))}."


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "get", "serialize",
           "deserialize"]
