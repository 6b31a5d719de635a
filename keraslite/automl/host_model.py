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
    """``network`` with ``preprocessors[name]`` (a ``TextVectorization``) applied on the host to
    its input ``name``. A network of one input takes the array itself; a network of several
    takes a dict by input name, as the functional model under it does.

    Example::

        vec = keraslite.layers.TextVectorization(output_sequence_length=8)
        vec.adapt(texts)
        ids = keraslite.Input(shape=(8,), dtype="int32", name="text")
        network = keraslite.Model(ids, ...)
        model = HostPreprocessedModel(network, {"text": vec})
        model.predict(np.array(["raw text"]))
    """

    def __init__(self, network: Model, preprocessors: dict, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(preprocessors, dict) or not preprocessors:
            raise ValueError("HostPreprocessedModel: preprocessors must be a non-empty dict "
                             "{input name: TextVectorization}. Received: "
                             f"{type(preprocessors).__name__}")
        self.network = network
        # A plain dict, not a tracked attribute: the vectorizers hold no variables, and keeping
        # them out of attribute tracking keeps the weight paths those of the network.
        self._preprocessors = dict(preprocessors)
        self.built = True

    @property
    def preprocessors(self) -> dict:
        return dict(self._preprocessors)

    def _convert(self, x: Any) -> Any:
        if x is None:
            return None
        if isinstance(x, dict):
            missing = [name for name in self._preprocessors if name not in x]
            if missing:
                raise ValueError(f"Model '{self.name}': the inputs {missing} are missing from "
                                 f"the dict. Received keys {sorted(x)}.")
            return {name: _vectorize(self._preprocessors.get(name), value)
                    for name, value in x.items()}
        if len(self._preprocessors) > 1:
            raise ValueError(f"Model '{self.name}' takes several inputs: pass a dict by input "
                             f"name ({sorted(self._preprocessors)} are text). Received: "
                             f"{type(x).__name__}")
        (layer,) = self._preprocessors.values()
        return _vectorize(layer, x)

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
                "preprocessors": {name: _layer_entry(layer)
                                  for name, layer in self._preprocessors.items()}}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None
                    ) -> "HostPreprocessedModel":
        config = dict(config)
        if not isinstance(config.get("preprocessors"), dict) or "network" not in config:
            raise ValueError("HostPreprocessedModel config: expected 'network' and a dict "
                             f"'preprocessors'. Received keys {sorted(config)}.")
        network = deserialize_layer(config.pop("network"), custom_objects=custom_objects)
        preprocessors = {}
        for name, entry in config.pop("preprocessors").items():
            layer = deserialize_layer(entry, custom_objects)
            if not isinstance(layer, layers.TextVectorization):
                raise ValueError("HostPreprocessedModel config: preprocessors must be "
                                 f"TextVectorization layers. Received {type(layer).__name__}.")
            preprocessors[name] = layer
        return cls(network, preprocessors, **config)


def _vectorize(layer: Any, x: Any) -> Any:
    return x if layer is None else np.asarray(layer(np.asarray(x, dtype=object)))


def _layer_entry(layer: Any) -> dict:
    # Keras's own form of a nested layer (with its module), so a ``.keras`` archive's reader
    # knows the entry for a layer; keraslite's reader ignores the module.
    return {"module": "keras.layers", **serialize_layer(layer)}


def with_host_preprocessing(network: Model, input_nodes: list) -> Model:
    """``network`` itself when no input node vectorizes on the host, else the network behind
    copies of the nodes' vectorizers (copies: a later ``adapt`` must not change this model)."""
    vectorizers = {node.name: node.vectorizer for node in input_nodes
                   if getattr(node, "vectorizer", None) is not None}
    if not vectorizers:
        return network
    copies = {name: type(v).from_config(v.get_config()) for name, v in vectorizers.items()}
    return HostPreprocessedModel(network, copies, name=f"{network.name}_with_text")
