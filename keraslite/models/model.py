"""Model: a Layer that can be trained. ``Model(inputs, outputs)`` builds a functional model;
subclassing ``Model`` and writing ``call`` gives a subclassed model."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from keraslite.layers.layer import Layer
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.training.trainer import Trainer
from keraslite.utils import tree

if TYPE_CHECKING:
    from keraslite.utils.typing import Config, FilePath, ShapeLike


class Model(Trainer, Layer):
    """A trainable stack of layers.

    Example (functional)::

        inputs = keraslite.Input(shape=(784,))
        x = keraslite.layers.Dense(64, activation="relu")(inputs)
        outputs = keraslite.layers.Dense(10)(x)
        model = keraslite.Model(inputs, outputs)

    Example (subclassed)::

        class MLP(keraslite.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keraslite.layers.Dense(64, activation="relu")
                self.out = keraslite.layers.Dense(10)

            def call(self, x):
                return self.out(self.hidden(x))
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if _is_functional_call(args, kwargs):
            from keraslite.models.functional import Functional

            if cls is Model:
                return Functional.__new__(Functional)
            if not issubclass(cls, Functional) and _holds_keras_tensors(args, kwargs):
                # A subclass built functionally (Keras's custom train_step examples:
                # ``CustomModel(inputs, outputs)``): its overrides on top of a functional graph.
                return Functional.__new__(_functional_subclass(cls, Functional))
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                "Model(inputs, outputs) expects KerasTensors from keraslite.Input(...) and layer "
                f"calls on them. Received: inputs={type(args[0] if args else kwargs.get('inputs')).__name__}"
            )
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Model '{self.name}' has {len(self.layers)} layers; index {index} is out of range."
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No layer named '{name}' in model '{self.name}'. "
            f"Layers: {[layer.name for layer in self.layers]}"
        )

    def build(self, input_shape: ShapeLike) -> None:
        """Creates every weight by running ``call`` symbolically on an input of this shape."""
        if self.built:
            return
        from keraslite.layers.layer import _as_shape_structure, _is_shape

        shapes = _as_shape_structure(input_shape)
        spec = (KerasTensor(shapes) if _is_shape(shapes)
                else tree.map_structure(lambda s: KerasTensor(s), shapes))
        # Sublayers build themselves on the abstract call; their initializers run eagerly.
        Layer.compute_output_spec(self, spec)
        self._build_input_shape = shapes
        self.built = True

    def _maybe_build(self, inputs):
        if self.built:
            return
        shapes = tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else None, inputs)
        shapes = tree.map_structure(lambda s: s, shapes)
        self.build(_with_free_batch(shapes))

    def summary(self, line_length: int | None = None, positions: Sequence[float] | None = None,
                print_fn: Callable[..., Any] | None = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Sequence[str] | None = None) -> None:
        """Prints a table of layers, output shapes and parameter counts (like Keras)."""
        from keraslite.utils.summary import print_summary
        from keraslite.utils.unsupported_args import require_default

        require_default("Model.summary", "layer_range", layer_range)

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    def get_config(self) -> Config:
        return Layer.get_config(self)

    def get_compile_config(self) -> dict | None:
        """The ``compile`` arguments as JSON data (None if the model was not compiled)."""
        from keraslite.saving.compile_config import get_compile_config

        return get_compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        """Compiles the model with the arguments ``get_compile_config`` returned."""
        from keraslite.saving.compile_config import compile_from_config

        compile_from_config(self, config)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as a JSON string in Keras 3's config form (no weights); read it back
        with ``keraslite.models.model_from_json`` (or Keras's). ``kwargs`` go to
        ``json.dumps`` (e.g. ``indent=2``)."""
        import json

        from keraslite.layers.serialization import serialize

        return json.dumps(serialize(self), **kwargs)

    # -- saving --------------------------------------------------------------------------------
    def save(self, filepath: FilePath, overwrite: bool = True, zipped: bool | None = None,
             include_optimizer: bool = True) -> None:
        """Saves architecture, weights, compile config and optimizer state to a ``.keraslite``
        file (atomically: a crash mid-save leaves the previous file intact)."""
        from keraslite.saving.model_file import save_model

        if zipped is not None and zipped is not True:
            # Keras's unzipped folder layout is not implemented: the file is always one archive.
            raise ValueError("Model.save: argument `zipped` is not supported by keraslite; "
                             f"received zipped={zipped!r} (only None or True is accepted).")

        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath: FilePath, overwrite: bool = True,
                     max_shard_size: int | float | None = None) -> None:
        """Saves every weight to a ``.safetensors`` file (atomically)."""
        from keraslite.saving.weights_file import save_weights
        from keraslite.utils.unsupported_args import require_default

        require_default("Model.save_weights", "max_shard_size", max_shard_size)  # no sharding

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: FilePath, skip_mismatch: bool = False) -> None:
        """Loads weights from ``.safetensors``, ``.keraslite``, or Keras ``.weights.h5``/``.h5``."""
        from keraslite.saving.weights_file import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def export(self, filepath: FilePath, format: str = "tf_saved_model", verbose: bool = True,
               input_signature: Any = None, **kwargs: Any) -> None:
        """Exports the model for inference: format "tf_saved_model" (a TensorFlow SavedModel) or
        "onnx" (see keraslite.export)."""
        from keraslite.export import export_model

        from keraslite.utils.unsupported_args import require_default

        # The signature comes from the model's inputs (ExportArchive takes explicit ones).
        require_default("Model.export", "input_signature", input_signature)
        export_model(self, filepath, format=format, verbose=verbose, **kwargs)


_FUNCTIONAL_SUBCLASSES: dict[type, type] = {}


def _functional_subclass(cls, functional):
    """``cls`` with ``Functional`` behind it in the MRO, made once per class. It keeps the
    name, so configs and summaries show the user's class."""
    mixed = _FUNCTIONAL_SUBCLASSES.get(cls)
    if mixed is None:
        mixed = _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, functional),
                                                   {"__module__": cls.__module__,
                                                    "__qualname__": cls.__qualname__})
    return mixed


def _with_free_batch(shapes):
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return (None,) + shapes[1:] if shapes else shapes
    if isinstance(shapes, dict):
        return {k: _with_free_batch(v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return [_with_free_batch(s) for s in shapes]
    return shapes


def _holds_keras_tensors(args, kwargs):
    """A subclass's own constructor may take two arguments (a GAN's two models): only
    KerasTensors for inputs and outputs make it a functional construction."""
    parts = list(args[:2]) + [kwargs[k] for k in ("inputs", "outputs") if k in kwargs]
    leaves = tree.flatten(parts)
    return bool(leaves) and all(isinstance(leaf, KerasTensor) for leaf in leaves)


def _is_functional_call(args, kwargs):
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) == 2 or (len(args) == 1 and "outputs" in kwargs):
        return True
    return False
