"""Sequential: a plain stack of layers, each feeding the next."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from keraslite.layers.core.input_layer import InputLayer
from keraslite.layers.layer import Layer
from keraslite.models.model import Model
from keraslite.ops.keras_tensor import KerasTensor

if TYPE_CHECKING:
    from keraslite.models.functional import Functional
    from keraslite.utils.typing import Config, Shape, ShapeLike, TensorTree


class Sequential(Model):
    """A linear stack of layers.

    Example::

        model = keraslite.Sequential([
            keraslite.Input(shape=(784,)),
            keraslite.layers.Dense(64, activation="relu"),
            keraslite.layers.Dense(10),
        ])

    Without an ``Input`` the model is built from the first data it sees (or ``build(shape)``).
    """

    def __init__(self, layers: Iterable[Layer | KerasTensor] | None = None,
                 trainable: bool = True, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._functional: Functional | None = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    @property
    def layers(self) -> list[Layer]:
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    def add(self, layer: Layer | KerasTensor, rebuild: bool = True) -> None:
        """Appends a layer (or an ``Input`` tensor) to the stack."""
        if isinstance(layer, KerasTensor) and layer._history is not None:
            layer = layer._history[0]
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance. Received: {layer!r} "
                f"(of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer) and self._layers:
            raise ValueError(
                f"Sequential model '{self.name}': an Input can only be the first layer; the model "
                f"already has {len(self._layers)} layer(s)."
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"All layers added to Sequential model '{self.name}' must have unique names. "
                f"Name '{layer.name}' is already used."
            )
        if not self._layers and not isinstance(layer, InputLayer) and layer._batch_input_shape:
            self._layers.append(InputLayer(batch_shape=layer._batch_input_shape))
        self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes and returns the last layer."""
        if not self.layers:
            raise TypeError(f"Sequential model '{self.name}' has no layers to pop.")
        layer = self._layers.pop()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self.built = False
        self._functional = None
        if self._layers and isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    def build(self, input_shape: ShapeLike = None) -> None:
        if input_shape is None:
            if not self._layers or not isinstance(self._layers[0], InputLayer):
                raise ValueError(
                    f"Sequential model '{self.name}' cannot be built without an input shape: add "
                    "keraslite.Input(shape=...) first or call build(input_shape)."
                )
            input_shape = self._layers[0].batch_shape
        if not self.layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers to build.")
        if isinstance(input_shape, list) and len(input_shape) == 1:
            input_shape = input_shape[0]
        if not self._layers or not isinstance(self._layers[0], InputLayer):
            self._layers.insert(0, InputLayer(batch_shape=tuple(input_shape)))
        from keraslite.models.functional import Functional

        first = cast(InputLayer, self._layers[0])  # an InputLayer was ensured just above
        x = first.output_tensor
        for layer in self._layers[1:]:
            x = layer(x)
        self._functional = Functional(first.output_tensor, x, name=self.name)
        self.input_spec = self._functional.input_spec
        self._build_input_shape = tuple(input_shape)
        self.built = True

    def _check_input_spec(self, inputs):
        if self._functional is not None:
            self._functional._check_input_spec(inputs)

    def call(self, inputs: TensorTree, training: bool | None = None,
             mask: TensorTree = None) -> TensorTree:
        if self._functional is not None:
            return self._functional.call(inputs, training=training)
        x = inputs
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    @property
    def input(self) -> TensorTree:
        return self._functional.input if self._functional else None

    @property
    def output(self) -> TensorTree:
        return self._functional.output if self._functional else None

    @property
    def inputs(self) -> list[KerasTensor] | None:
        return self._functional.inputs if self._functional else None

    @property
    def outputs(self) -> list[KerasTensor] | None:
        return self._functional.outputs if self._functional else None

    @property
    def input_shape(self) -> Shape | list[Shape] | None:
        return self._functional.input_shape if self._functional else None

    @property
    def output_shape(self) -> Shape | list[Shape] | None:
        return self._functional.output_shape if self._functional else None

    @property
    def output_names(self) -> list[str]:
        return self._functional.output_names if self._functional else [self.name]

    @property
    def input_names(self) -> list[str]:
        return self._functional.input_names if self._functional else ["input"]

    def get_config(self) -> Config:
        from keraslite.saving.serialization import serialize_layer

        layers = [serialize_layer(layer) for layer in self._layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config: Config,
                    custom_objects: dict[str, Any] | None = None) -> Sequential:
        from keraslite.saving.serialization import deserialize_layer

        from keraslite.models.functional_config import MAX_LAYERS, check_limit

        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("Invalid model config: a Sequential config needs a 'layers' list.")
        check_limit("layers", len(config["layers"]), MAX_LAYERS, "MAX_LAYERS")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects), rebuild=False)
        model._maybe_rebuild()
        return model
