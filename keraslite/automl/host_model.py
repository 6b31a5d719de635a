"""HostPreprocessedModel: a numeric network behind host-side string vectorizers.

Strings cannot enter a compiled JAX or TensorFlow step in keraslite (``TextVectorization``
runs on the host in NumPy), so a model that takes raw text is two parts: the vectorizers, run
on the host before every ``fit``/``evaluate``/``predict``, and a plain functional network on
the token ids. This class joins them into one keraslite ``Model`` that saves and loads like
any other (the vocabularies are part of the config; nothing in the file is executed).
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite import layers
from keraslite.models.model import Model
from keraslite.saving.serialization import (deserialize_layer, register_serializable,
                                            serialize_layer)


@register_serializable("keraslite.automl")
class HostPreprocessedModel(Model):
    """``network`` with ``preprocessors[i]`` (a ``TextVectorization`` or None) applied on the
    host to its i-th input.

    Example::

        vec = keraslite.layers.TextVectorization(output_sequence_length=8)
        vec.adapt(texts)
        ids = keraslite.Input(shape=(8,), dtype="int32")
        network = keraslite.Model(ids, ...)
        model = HostPreprocessedModel(network, [vec])
        model.predict(np.array(["raw text"]))
    """

    def __init__(self, network: Model, preprocessors: list, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        count = len(network.inputs) if hasattr(network, "inputs") else 1
        if len(preprocessors) != count:
            raise ValueError(f"HostPreprocessedModel: expected one preprocessor (or None) per "
                             f"network input ({count}). Received {len(preprocessors)}.")
        self.network = network
        # A plain tuple: the vectorizers hold no variables, and keeping them out of attribute
        # tracking keeps the weight paths those of the network.
        self._preprocessors = tuple(preprocessors)
        self.built = True

    @property
    def preprocessors(self) -> tuple:
        return self._preprocessors

    def _convert(self, x: Any) -> Any:
        if x is None:
            return None
        several = len(self._preprocessors) > 1
        if several and not isinstance(x, (list, tuple)):
            raise ValueError(f"Model '{self.name}' takes {len(self._preprocessors)} inputs: "
                             f"pass a list of arrays. Received: {type(x).__name__}")
        items = list(x) if several else [x]
        if len(items) != len(self._preprocessors):
            raise ValueError(f"Model '{self.name}' takes {len(self._preprocessors)} inputs. "
                             f"Received a list of {len(items)}.")
        converted = [item if layer is None else np.asarray(layer(np.asarray(item, dtype=object)))
                     for item, layer in zip(items, self._preprocessors)]
        return converted if several else converted[0]

    def call(self, inputs: Any, training: bool = False) -> Any:
        # Symbolic and eager calls take the vectorized (numeric) inputs.
        return self.network(inputs, training=training)

    def compile(self, *args: Any, **kwargs: Any) -> None:
        self.network.compile(*args, **kwargs)

    def fit(self, x: Any = None, y: Any = None, validation_data: Any = None,
            **kwargs: Any) -> Any:
        if validation_data is not None:
            validation_data = (self._convert(validation_data[0]), *validation_data[1:])
        return self.network.fit(self._convert(x), y, validation_data=validation_data, **kwargs)

    def evaluate(self, x: Any = None, y: Any = None, **kwargs: Any) -> Any:
        return self.network.evaluate(self._convert(x), y, **kwargs)

    def predict(self, x: Any, **kwargs: Any) -> Any:
        return self.network.predict(self._convert(x), **kwargs)

    def predict_on_batch(self, x: Any) -> Any:
        return self.network.predict_on_batch(self._convert(x))

    def get_weights(self) -> list:
        return self.network.get_weights()

    def set_weights(self, weights: list) -> None:
        self.network.set_weights(weights)

    def get_config(self) -> dict:
        return {"name": self.name, "network": serialize_layer(self.network),
                "preprocessors": [None if p is None else _layer_entry(p)
                                  for p in self._preprocessors]}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None
                    ) -> "HostPreprocessedModel":
        config = dict(config)
        if not isinstance(config.get("preprocessors"), list) or "network" not in config:
            raise ValueError("HostPreprocessedModel config: expected 'network' and a list "
                             f"'preprocessors'. Received keys {sorted(config)}.")
        network = deserialize_layer(config.pop("network"), custom_objects=custom_objects)
        preprocessors = []
        for item in config.pop("preprocessors"):
            layer = None if item is None else deserialize_layer(item, custom_objects)
            if layer is not None and not isinstance(layer, layers.TextVectorization):
                raise ValueError("HostPreprocessedModel config: preprocessors must be "
                                 f"TextVectorization layers. Received {type(layer).__name__}.")
            preprocessors.append(layer)
        return cls(network, preprocessors, **config)


def _layer_entry(layer: Any) -> dict:
    # Keras's own form of a nested layer (with its module), so a ``.keras`` archive's reader
    # knows the entry for a layer; keraslite's reader ignores the module.
    return {"module": "keras.layers", **serialize_layer(layer)}


def with_host_preprocessing(network: Model, input_nodes: list) -> Model:
    """``network`` itself when no input node vectorizes on the host, else the network behind
    copies of the nodes' vectorizers (copies: a later ``adapt`` must not change this model)."""
    vectorizers = [getattr(node, "vectorizer", None) for node in input_nodes]
    if all(v is None for v in vectorizers):
        return network
    copies = [None if v is None else type(v).from_config(v.get_config()) for v in vectorizers]
    return HostPreprocessedModel(network, copies, name=f"{network.name}_with_text")
