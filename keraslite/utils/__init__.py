"""Utilities with Keras names: ``to_categorical``, ``normalize``, ``set_random_seed``, ...

Names load on first use so ``import keraslite.utils`` pulls in no backend.
"""
from __future__ import annotations

import importlib

from keraslite.utils.numerical_utils import normalize, to_categorical

# name -> module that defines it, imported on first attribute access.
_LAZY = {
    "set_random_seed": "keraslite.utils.random_seed",
    "PyDataset": "keraslite.utils.py_dataset",
    "get_file": "keraslite.utils.file_utils",
    "Sequence": "keraslite.utils.py_dataset",
    "Progbar": "keraslite.utils.progbar",
    "pad_sequences": "keraslite.utils.sequence_utils",
    "load_img": "keraslite.utils.image_utils",
    "img_to_array": "keraslite.utils.image_utils",
    "array_to_img": "keraslite.utils.image_utils",
    "save_img": "keraslite.utils.image_utils",
    "image_dataset_from_directory": "keraslite.utils.directory_datasets",
    "text_dataset_from_directory": "keraslite.utils.directory_datasets",
    "timeseries_dataset_from_array": "keraslite.utils.timeseries_utils",
    "split_dataset": "keraslite.utils.dataset_split",
    "clear_session": "keraslite.backend",
    "audio_dataset_from_directory": "keraslite.utils.audio_dataset",
    "plot_model": "keraslite.utils.model_visualization",
    "model_to_dot": "keraslite.utils.model_visualization",
    "FeatureSpace": "keraslite.layers.preprocessing.feature_space",
    "register_keras_serializable": "keraslite.utils.registration",
    "get_registered_name": "keraslite.utils.registration",
    "get_custom_objects": "keraslite.utils.registration",
    "custom_object_scope": "keraslite.utils.registration",
    "CustomObjectScope": "keraslite.utils.registration",
    "get_source_inputs": "keraslite.utils.graph_utils",
    "pack_x_y_sample_weight": "keraslite.utils.data_tuples",
    "unpack_x_y_sample_weight": "keraslite.utils.data_tuples",
    "is_keras_tensor": "keraslite.ops.keras_tensor",
    "standardize_dtype": "keraslite.backend",
    "get_registered_object": "keraslite.saving",
    "disable_interactive_logging": "keraslite.config",
    "enable_interactive_logging": "keraslite.config",
    "is_interactive_logging_enabled": "keraslite.config",
    "Config": "keraslite.utils.config_object",
    "serialize_keras_object": "keraslite.saving.object_serialization",
    "deserialize_keras_object": "keraslite.saving.object_serialization",
}

__all__ = ["normalize", "to_categorical", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keraslite.utils' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
