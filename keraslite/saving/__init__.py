"""Saving: configs from a closed registry of classes (never a module path read from a file)."""
from keraslite.models import load_model  # noqa: F401
from keraslite.saving.serialization import (  # noqa: F401
    deserialize_layer,
    get_registered_object,
    register_serializable,
    serialize_layer,
)
# Keras's keras.saving names over the same closed registry and file formats.
from keraslite.saving.file_functions import load_weights, save_model, save_weights  # noqa: F401
from keraslite.saving.object_serialization import (  # noqa: F401
    deserialize_keras_object,
    serialize_keras_object,
)
from keraslite.utils.registration import (  # noqa: F401
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    register_keras_serializable,
)
