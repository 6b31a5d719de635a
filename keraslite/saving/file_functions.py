"""Keras's function forms of the model file methods: ``save_model``, ``save_weights``,
``load_weights`` (``keras.saving``) and ``model_from_json`` (``keras.models``)."""
from __future__ import annotations

import json
from typing import Any

# A JSON model description is a few kilobytes per layer; anything far larger is refused before
# parsing, as the file readers refuse oversized files.
_MAX_JSON_CHARS = 64 * 1024 * 1024


def _check_model(fn: str, model: Any) -> None:
    if not hasattr(model, "save_weights") or not hasattr(model, "load_weights"):
        raise TypeError(f"{fn}: argument `model` must be a keraslite Model. "
                        f"Received: {type(model).__name__}")


def save_model(model: Any, filepath, overwrite: bool = True, zipped: bool | None = None,
               **kwargs) -> None:
    """``model.save(filepath, overwrite=...)`` (``zipped`` may only be None or True: keraslite
    always writes one sealed archive)."""
    _check_model("save_model", model)
    if zipped not in (None, True):
        raise ValueError("save_model: argument `zipped` may only be None or True (keraslite "
                         f"writes one archive file). Received: zipped={zipped!r}")
    model.save(filepath, overwrite=overwrite, **kwargs)


def save_weights(model: Any, filepath, overwrite: bool = True, max_shard_size=None,
                 **kwargs) -> None:
    """``model.save_weights(filepath, overwrite=...)``; sharding is not supported."""
    _check_model("save_weights", model)
    if max_shard_size is not None:
        raise ValueError("save_weights: argument `max_shard_size` is not supported (keraslite "
                         f"writes one weights file). Received: max_shard_size={max_shard_size!r}")
    model.save_weights(filepath, overwrite=overwrite, **kwargs)


def load_weights(model: Any, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """``model.load_weights(filepath, skip_mismatch=...)``."""
    _check_model("load_weights", model)
    model.load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """A model (not compiled, weights fresh) from a JSON description
    ``{"class_name": "Sequential"|"Functional"|..., "config": {...}}``."""
    from keraslite.layers.layer import Layer
    from keraslite.saving.object_serialization import deserialize_keras_object

    if not isinstance(json_string, (str, bytes)):
        raise TypeError("model_from_json: argument `json_string` must be a JSON string. "
                        f"Received: {type(json_string).__name__}")
    if len(json_string) > _MAX_JSON_CHARS:
        raise ValueError(f"model_from_json: the JSON string is {len(json_string)} characters; "
                         f"at most {_MAX_JSON_CHARS} are read.")
    try:
        config = json.loads(json_string)
    except ValueError as error:
        raise ValueError(f"model_from_json: argument `json_string` is not valid JSON: "
                         f"{error}") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("model_from_json: the JSON must describe one object with "
                         "'class_name' and 'config'. Received: "
                         f"{type(config).__name__}")
    model = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(model, Layer):
        raise ValueError(f"model_from_json: the JSON describes a {type(model).__name__}, not a "
                         "model.")
    return model
