"""Weight constraints (MaxNorm, NonNeg, UnitNorm, MinMaxNorm) and ``get``.

Example::

    layer = keraslite.layers.Dense(3, kernel_constraint=keraslite.constraints.MaxNorm(2.0))
"""
from __future__ import annotations

from keraslite.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from keraslite.utils.registry import ObjectRegistry

ALL_OBJECTS = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


_REGISTRY = ObjectRegistry("constraint", "keraslite.constraints", ALL_OBJECTS, Constraint)


def serialize(constraint):
    """``constraint`` as a JSON-ready config (Keras's parameter name)."""
    return _REGISTRY.serialize(constraint)


deserialize = _REGISTRY.deserialize
get = _REGISTRY.get  # a name, a config dict, an instance, a class or a callable


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "get", "serialize",
           "deserialize"]
