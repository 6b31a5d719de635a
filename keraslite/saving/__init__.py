"""Saving: configs from a closed registry of classes (never a module path read from a file)."""
from keraslite.saving.serialization import (  # noqa: F401
    deserialize_layer,
    get_registered_object,
    register_serializable,
    serialize_layer,
)
