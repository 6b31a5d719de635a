"""HostPreprocessedModel: a numeric network behind host-side steps for text and tables.

Strings and NaN cannot enter a compiled JAX or TensorFlow step in keraslite, so a model that
takes raw text or a raw table is two parts: host steps (a ``TextVectorization`` for text, a
``TableEncoder`` for a table), run before every ``fit``/``evaluate``/``predict``, and a plain
functional network on their numeric output. This class joins them into one keraslite ``Model``
that saves and loads like any other: the host steps' state is config data (a vocabulary, the
column names and types); what was learned from the data (means, variances, category
vocabularies) are the network's weights. Nothing in the file is executed.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite import layers
from keraslite.models.model import Model
from keraslite.saving.serialization import (deserialize_layer, register_serializable,
                                            serialize_layer)
from keraslite.automl.table_encoder import TableEncoder

_HOST_STEPS = (layers.TextVectorization, TableEncoder)


@register_serializable("keraslite.automl")
class HostPreprocessedModel(Model):
    """``network`` with host-side steps before it: ``preprocessors[name]`` (a
    ``TextVectorization`` for text, a ``TableEncoder`` for a table) applied to the raw data of
    input ``name``. ``input_names`` are the AutoModel's inputs in order (default: the keys of
    ``preprocessors``); an input without a preprocessor (images) goes to the network as it is.

    ``x`` takes the forms ``AutoModel.predict`` takes: for one input, its raw data (an array of
    strings, a DataFrame / CSV path / 2-D array); for several, a list in ``input_names`` order
    or a dict by input name. A dict keyed by the network's own input names (already encoded,
    e.g. from ``table_to_inputs``) is passed on, with text entries vectorized.

    Example::

        vec = keraslite.layers.TextVectorization(output_sequence_length=8)
        vec.adapt(texts)
        ids = keraslite.Input(shape=(8,), dtype="int32", name="text")
        network = keraslite.Model(ids, ...)
        model = HostPreprocessedModel(network, {"text": vec})
        model.predict(np.array(["raw text"]))
    """

    def __init__(self, network: Model, preprocessors: dict,
                 input_names: Optional[list] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(preprocessors, dict):
            raise ValueError("HostPreprocessedModel: preprocessors must be a dict {input name: "
                             "TextVectorization | TableEncoder}. Received: "
                             f"{type(preprocessors).__name__}")
        names = list(preprocessors) if input_names is None else list(input_names)
        if not names or not all(isinstance(n, str) for n in names):
            raise ValueError("HostPreprocessedModel: input_names must be a non-empty list of "
                             f"strings. Received: {input_names!r}")
        unknown = [n for n in preprocessors if n not in names]
        if unknown:
            raise ValueError(f"HostPreprocessedModel: preprocessors {unknown} are not among "
                             f"input_names {names}.")
        for name, layer in preprocessors.items():
            if not isinstance(layer, _HOST_STEPS):
                raise ValueError(f"HostPreprocessedModel: the preprocessor of '{name}' must be "
                                 f"a TextVectorization or a TableEncoder. Received "
                                 f"{type(layer).__name__}.")
        self.network = network
        # A plain dict, not a tracked attribute: the host steps hold no variables, and keeping
        # them out of attribute tracking keeps the weight paths those of the network.
        self._preprocessors = dict(preprocessors)
        self._input_names = names
        self.built = True

    @property
    def preprocessors(self) -> dict:
        return dict(self._preprocessors)

    @property
    def input_names(self) -> list:
        return list(self._input_names)

    @property
    def inputs(self) -> list:
        """The network's inputs (after the host steps): one per table column, per text, ..."""
        return self.network.inputs

    @property
    def outputs(self) -> list:
        return self.network.outputs

    def _convert(self, x: Any) -> Any:
        if x is None:
            return None
        names = self._input_names
        if len(names) == 1:
            return self._encode(names[0], x)
        if isinstance(x, dict) and set(x) != set(names):
            return self._flat(x)  # keyed by the network's inputs (already encoded)
        if isinstance(x, dict):
            parts = [x[name] for name in names]
        elif isinstance(x, (list, tuple)) and len(x) == len(names):
            parts = list(x)
        else:
            size = len(x) if isinstance(x, (list, tuple)) else type(x).__name__
            raise ValueError(f"Model '{self.name}' takes {len(names)} inputs {names}: pass a "
                             f"list of {len(names)} entries in that order or a dict by input "
                             f"name. Received: {size}")
        flat: dict = {}
        for name, part in zip(names, parts):
            encoded = self._encode(name, part)
            flat.update(encoded if isinstance(encoded, dict) else {name: encoded})
        return flat

    def _encode(self, name: str, x: Any) -> Any:
        layer = self._preprocessors.get(name)
        if isinstance(layer, TableEncoder):
            # A dict is the table already encoded (table_to_inputs, AutoModel.fit).
            return x if isinstance(x, dict) else layer.encode(x, f"x of input '{name}'")
        return _vectorize(layer, x)

    def _flat(self, x: dict) -> dict:
        texts = [n for n, layer in self._preprocessors.items()
                 if isinstance(layer, layers.TextVectorization)]
        missing = [name for name in texts if name not in x]
        if missing:
            raise ValueError(f"Model '{self.name}': the inputs {missing} are missing from "
                             f"the dict. Received keys {sorted(x)}; expected a dict by input "
                             f"name {self._input_names} or by network input.")
        return {name: _vectorize(self._preprocessors.get(name), value)
                for name, value in x.items()}

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
                                  for name, layer in self._preprocessors.items()},
                "input_names": list(self._input_names)}

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
            # Only the two host steps' own classes: a file cannot name anything else here.
            layer = deserialize_layer(entry, custom_objects)
            if not isinstance(layer, _HOST_STEPS):
                raise ValueError("HostPreprocessedModel config: preprocessors must be "
                                 "TextVectorization or TableEncoder layers. Received "
                                 f"{type(layer).__name__}.")
            preprocessors[name] = layer
        return cls(network, preprocessors, **config)


def _vectorize(layer: Any, x: Any) -> Any:
    return x if layer is None else np.asarray(layer(np.asarray(x, dtype=object)))


def _layer_entry(layer: Any) -> dict:
    # Keras's own form of a nested layer (with its module), so a ``.keras`` archive's reader
    # knows the entry for a layer; keraslite's reader ignores the module.
    module = "keras.layers" if isinstance(layer, layers.TextVectorization) else "keraslite.automl"
    return {"module": module, **serialize_layer(layer)}


def with_host_preprocessing(network: Model, input_nodes: list) -> Model:
    """``network`` itself for one input that needs no host step (images, series); else the
    network behind the inputs' host steps: copies of text inputs' vectorizers (a later
    ``adapt`` must not change this model) and a TableEncoder per table. Several inputs are
    always wrapped, so the model takes a list or a dict by input name, as AutoModel does."""
    steps: dict = {}
    for node in input_nodes:
        vectorizer = getattr(node, "vectorizer", None)
        if vectorizer is not None:
            steps[node.name] = type(vectorizer).from_config(vectorizer.get_config())
        elif getattr(node, "columns", None) is not None:  # a StructuredDataInput after fit
            steps[node.name] = TableEncoder(node.columns, node.column_names,
                                            name=f"{node.name}_encoder")
    if not steps and len(input_nodes) == 1:
        return network
    suffix = "with_text" if steps and all(
        isinstance(s, layers.TextVectorization) for s in steps.values()) else "with_host_steps"
    return HostPreprocessedModel(network, steps, [node.name for node in input_nodes],
                                 name=f"{network.name}_{suffix}")
