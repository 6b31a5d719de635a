"""Saving: configs from a closed registry of classes (never a module path read from a file)."""
from keraslite.models import load_model  # noqa: F401
from keraslite.saving.serialization import (  # noqa: F401
    deserialize_layer,
    get_registered_object,
    register_serializable,
    serialize_layer,
)
