"""Weight regularizers (L1, L2, L1L2, OrthogonalRegularizer) and ``get``.

Example::

    layer = keraslite.layers.Dense(3, kernel_regularizer=keraslite.regularizers.L2(1e-4))
"""
from __future__ import annotations

from keraslite.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer
from keraslite.utils.registry import ObjectRegistry

ALL_OBJECTS = {"Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
               "OrthogonalRegularizer": OrthogonalRegularizer, "l1": L1, "l2": L2,
               "l1_l2": L1L2, "l1l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


_REGISTRY = ObjectRegistry("regularizer", "keraslite.regularizers", ALL_OBJECTS, Regularizer)


def serialize(regularizer):
    """``regularizer`` as a JSON-ready config (Keras's parameter name)."""
    return _REGISTRY.serialize(regularizer)


deserialize = _REGISTRY.deserialize
get = _REGISTRY.get  # a name ("l1", "l2", "l1_l2"), a config dict, an instance or a callable


__all__ = ["Regularizer", "L1", "L2", "L1L2", "get", "serialize", "deserialize"]
