"""Pipeline: preprocessing layers applied one after another, as one layer (e.g. a chain of
augmentations to use inside a model or a ``tf.data`` map)."""
from __future__ import annotations

import inspect
from typing import Optional, Sequence

from keraslite.layers.layer import Layer


def _takes_training(layer) -> bool:
    params = inspect.signature(layer.call).parameters
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Pipeline(Layer):
    """Applies ``layers`` in order. Unlike a ``Sequential`` model it is a plain layer, and a
    call that says nothing about training augments (``training=True`` by default, as Keras).

    Example::

        augment = Pipeline([RandomBrightness(0.2), RandomInvert(0.1)])
        images = augment(images)
    """

    def __init__(self, layers: Sequence[Layer], name: Optional[str] = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer) for x in layers):
            raise ValueError("Pipeline: `layers` must be a list of layers. "
                             f"Received: layers={layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return list(self._pipeline_layers)

    def call(self, inputs, training=True):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {"training": training} if training is not None and _takes_training(layer) \
                else {}
            outputs = layer(outputs, **kwargs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._pipeline_layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self) -> dict:
        from keraslite.saving.serialization import serialize_layer

        return {**super().get_config(),
                "layers": [serialize_layer(layer) for layer in self._pipeline_layers]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from keraslite.saving.serialization import deserialize_layer

        config = dict(config)
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("Pipeline config must hold a list of layer configs under 'layers'. "
                             f"Received: layers={layers!r}")
        config["layers"] = [deserialize_layer(c, custom_objects=custom_objects) for c in layers]
        return cls(**config)
