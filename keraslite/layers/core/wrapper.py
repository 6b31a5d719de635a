"""Wrapper: the base of layers that run another layer (TimeDistributed, SpectralNormalization)."""
from __future__ import annotations

from typing import Any

from keraslite.layers.layer import Layer


class Wrapper(Layer):
    """Holds one inner layer, ``self.layer``, and saves it inside its own config.

    Subclasses define ``call`` (how the inner layer runs); building the wrapper builds the inner
    layer with the same input shape.

    Example::

        class Twice(keraslite.layers.Wrapper):
            def call(self, x):
                return self.layer(self.layer(x))
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: argument `layer` must be a keraslite Layer "
                             f"instance. Received: layer={layer!r:.80}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer._build_with_shapes(input_shape)
        self.built = True

    def get_config(self) -> dict:
        from keraslite.saving.serialization import serialize_layer

        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Wrapper":
        from keraslite.saving.serialization import deserialize_layer

        config = dict(config)
        if "layer" not in config:
            raise ValueError(f"{cls.__name__}.from_config: the config has no 'layer' entry "
                             f"(the wrapped layer). Received keys: {sorted(config)}")
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
