"""``keras.layers.serialize`` / ``deserialize``: a layer as Keras 3 config data and back."""
from __future__ import annotations

from typing import Any

from keraslite.layers.layer import Layer


def serialize(layer: Layer) -> dict:
    """The layer's config as Keras 3 writes it (``module``, ``class_name``, ``config``,
    ``registered_name``, ``build_config``): Keras's ``layers.deserialize`` reads it too."""
    from keraslite.saving.keras_config_writing import keras_layer_entry
    from keraslite.saving.serialization import serialize_layer

    if not isinstance(layer, Layer):
        raise TypeError("keraslite.layers.serialize: argument `layer` must be a keraslite Layer. "
                        f"Received: {type(layer).__name__}")
    return keras_layer_entry(serialize_layer(layer), layer)


def deserialize(config: dict, custom_objects: dict[str, Any] | None = None) -> Layer:
    """The layer ``config`` describes: Keras 3's form (from ``serialize`` or Keras) or
    keraslite's own (``{"class_name", "config"}`` without ``module``). Only classes in
    keraslite's registry or ``custom_objects`` are built; nothing is imported by name."""
    from keraslite.saving.keras_config_reading import KerasConfigReader
    from keraslite.saving.serialization import deserialize_layer

    if not isinstance(config, dict):
        raise TypeError("keraslite.layers.deserialize: argument `config` must be a dict (from "
                        f"keraslite.layers.serialize). Received: {type(config).__name__}")
    if "module" in config:
        config = KerasConfigReader("keraslite.layers.deserialize", custom_objects).layer(config)
    return deserialize_layer(config, custom_objects=custom_objects)
