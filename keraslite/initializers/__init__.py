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
from keraslite.initializers.stft import STFT
from keraslite.utils.naming import to_snake_case
from keraslite.utils.registry import ObjectRegistry

_CLASSES = (
    Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
    Orthogonal, STFT,
)
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS.update({"zero": Zeros, "one": Ones, "uniform": RandomUniform, "normal": RandomNormal,
                    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
                    "STFTInitializer": STFT, "stft": STFT})
# Keras's longer class names for the same initializers.
IdentityInitializer, OrthogonalInitializer, STFTInitializer, stft = Identity, Orthogonal, STFT, STFT

# Keras-style lowercase function aliases: keraslite.initializers.glorot_uniform(seed=1) etc.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal = HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


_REGISTRY = ObjectRegistry(
    "initializer", "keraslite.initializers", ALL_OBJECTS, Initializer,
    lowercase_listing=True, listing_suffix=" (or their class names)",
    interpret_hint=". Pass a name, a config dict, an Initializer or a callable "
                   "(shape, dtype) -> array.",
    serialize_error=lambda obj: TypeError(
        f"initializers.serialize expects an Initializer instance. Received: {obj!r}"),
    config_error=lambda config: ValueError(
        "initializers.deserialize expects a dict with 'class_name' and 'config'. "
        f"Received: {config!r}"),
)


def serialize(initializer):
    """``initializer`` as a JSON-ready config (Keras's parameter name)."""
    return _REGISTRY.serialize(initializer)


deserialize = _REGISTRY.deserialize
get = _REGISTRY.get  # a name, a config dict, an Initializer or a callable (shape, dtype)


__all__ = [
    "Initializer", "RandomInitializer", "compute_fans", "get", "serialize", "deserialize",
    *(cls.__name__ for cls in _CLASSES), "IdentityInitializer", "OrthogonalInitializer",
    "STFTInitializer",
]
