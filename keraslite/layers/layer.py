"""The Layer base class: lazy build, config, and the eager and symbolic call paths (the weights
API is in ``layer_weights``).

A layer's math lives in ``call`` and uses ``keraslite.ops`` only, so the same code runs eagerly,
inside a compiled training step, and symbolically (on ``KerasTensor`` inputs, where the backend
evaluates ``call`` abstractly to infer output shapes without running anything).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from keraslite import dtype_policies, ops
from keraslite.backends import core
from keraslite.layers import auto_config
from keraslite.layers.call_context import (_input_masks, _record_masks, _TrainingContext,
                                           _record_symbolic_masks, attach_output_masks,
                                           current_training, outermost_call)
from keraslite.layers.input_spec import InputSpec, check_input
from keraslite.layers.layer_members import LayerMembers
from keraslite.layers.layer_weights import LayerWeights
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.random.seed_generator import SeedGenerator
from keraslite.utils import naming, tree
from keraslite.utils.keras_mask import get_keras_mask
from keraslite.variables import StatelessScope, Variable

if TYPE_CHECKING:
    from keraslite.utils.typing import Config, Shape, ShapeLike, TensorLike, TensorTree

# ``from_config`` on a subclass returns an instance of that subclass.
_LayerT = TypeVar("_LayerT", bound="Layer")


# Attributes holding layers that are reached another way (Sequential's internal functional
# model wraps the same layers) or bookkeeping that never holds sublayers.
_UNTRACKED_ATTRIBUTES = frozenset({"_functional", "_layers", "_inbound_nodes", "_seed_generators",
                                   "_trainable_variables", "_non_trainable_variables", "_losses"})


def _call_signature(cls):
    sig = inspect.signature(cls.call)
    params = sig.parameters
    return (
        "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()),
        "mask" in params,
    )


def _static_shape(t) -> tuple:
    """The shape with symbolic sizes (a sublayer built inside a traced call) as None, so a
    build never records one (it is not a number and can't be saved)."""
    return tuple(d if d is None or isinstance(d, (int, np.integer)) else None for d in t.shape)


class Layer(LayerMembers, LayerWeights):
    """Base class of all layers.

    Subclasses create weights in ``build(input_shape)`` with ``add_weight`` and compute in
    ``call(inputs, training=None)``. Example::

        class Scale(keraslite.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, x):
                return x * self.scale
    """

    _signature_cache: dict[type, tuple[bool, bool]] = {}
    # Set by layers that take an ``activity_regularizer`` argument; ``__call__`` applies it.
    activity_regularizer: Callable[[TensorLike], TensorLike] | None = None

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        if auto_config.is_user_class(cls):
            auto_config.capture(instance, args, kwargs)
        return instance

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None,
                 input_shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 input_dim: int | None = None, autocast: bool = True,
                 activity_regularizer: Any = None, **kwargs: Any) -> None:
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        kwargs.pop("input_length", None)
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword argument(s) passed to {type(self).__name__}: {sorted(kwargs)}"
            )
        object.__setattr__(self, "_tracking", False)
        self._layers: list[Layer] = []
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._seed_generators: list[SeedGenerator] = []
        self._losses: list[TensorLike] = []
        self._trainable = bool(trainable)
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype_policy = _resolve_dtype(dtype)
        self.autocast = autocast
        if activity_regularizer is not None:  # e.g. super().__init__(activity_regularizer="l2")
            from keraslite import regularizers

            self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        # One spec, or one per input (None where an input is not checked).
        self.input_spec: InputSpec | Sequence[InputSpec | None] | None = None
        self.supports_masking = False
        self._inbound_nodes: list[Any] = []  # functional-graph Nodes (keraslite.models.node)
        self._batch_input_shape: Shape | None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + tuple(input_shape)
        else:
            self._batch_input_shape = None
        object.__setattr__(self, "_tracking", True)

    # -- attribute tracking ---------------------------------------------------------------
    def __setattr__(self, name, value):
        # Like Keras, sublayers are tracked under any attribute name, private ones included,
        # and inside lists, tuples and dict values.
        if getattr(self, "_tracking", False) and name not in _UNTRACKED_ATTRIBUTES:
            if isinstance(value, dict):
                items = list(value.values())
            elif isinstance(value, (list, tuple)):
                items = value
            else:
                items = [value]
            for item in items:
                if isinstance(item, Layer) and item is not self and not any(
                    item is existing for existing in self._layers
                ):
                    self._layers.append(item)
                elif isinstance(item, SeedGenerator) and not any(
                    item is existing for existing in self._seed_generators
                ):
                    # Its state must travel with the layer's variables into compiled steps.
                    self._seed_generators.append(item)
        object.__setattr__(self, name, value)

    # -- dtypes -----------------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        """The dtype of this layer's variables."""
        return self._dtype_policy[0]

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy[0]

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy[1]

    @property
    def dtype_policy(self) -> str:
        return self._dtype_policy[2]

    # -- losses -----------------------------------------------------------------------------
    def add_loss(self, loss: TensorLike) -> None:
        """Adds a loss tensor (e.g. an activity penalty) for the current call."""
        self._losses.append(loss)

    @property
    def losses(self) -> list[TensorLike]:
        """Losses added during the last call plus weight regularization penalties."""
        out = list(self._losses)
        for v in self._own_weights():
            reg = getattr(v, "regularizer", None)
            if reg is not None and v.trainable:
                out.append(reg(v.value))
        for layer in self._layers:
            out.extend(layer.losses)
        return out

    def _clear_losses(self):
        self._losses = []
        for layer in self._layers:
            layer._clear_losses()

    # -- build --------------------------------------------------------------------------------
    def build(self, input_shape: ShapeLike) -> None:
        """Creates the weights, given the input shape. The default creates none."""
        self.built = True

    def build_from_config(self, config: Config | None) -> None:
        build_config = config  # Keras's parameter name
        if build_config and build_config.get("input_shape") is not None:
            self._build_with_shapes(_as_shape_structure(build_config["input_shape"]))

    def get_build_config(self) -> Config | None:
        shape = getattr(self, "_build_input_shape", None)
        return None if shape is None else {"input_shape": shape}

    def _build_with_shapes(self, shapes):
        if self.built:
            return
        self._build_input_shape = shapes
        self.build(shapes)
        self.built = True

    def _maybe_build(self, inputs):
        if self.built:
            return
        shapes = tree.map_structure(lambda t: _static_shape(t) if hasattr(t, "shape") else None,
                                    inputs)
        self._build_with_shapes(shapes)

    def _check_input_spec(self, inputs):
        if self.input_spec is None:
            return
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) else [self.input_spec]
        flat = tree.flatten(inputs)
        if len(specs) > 1 and len(flat) != len(specs):
            raise ValueError(
                f"Layer '{self.name}' expects {len(specs)} input(s). Received: {len(flat)} input(s)."
            )
        for i, (spec, x) in enumerate(zip(specs, flat)):
            if spec is not None and hasattr(x, "shape"):
                check_input(self.name, spec, tuple(x.shape), i)

    # -- calling ------------------------------------------------------------------------------
    def call(self, inputs: TensorTree, *args: Any, **kwargs: Any) -> TensorTree:
        return inputs

    def __call__(self, *args: Any, **kwargs: Any) -> TensorTree:
        if not args and "inputs" in kwargs:
            args = (kwargs.pop("inputs"),)
        if not args:
            raise TypeError(f"Layer '{self.name}' was called without inputs.")
        flat = tree.flatten((args, kwargs))
        if any(isinstance(x, KerasTensor) for x in flat):
            return self._symbolic_call(args, kwargs)
        if any(type(x).__name__ in ("SymbolicTensor", "Tensor") for x in flat):
            # TensorFlow graph tensors (tf.data .map): see tf_data_bridge; lazy, as the
            # preprocessing package imports this module.
            from keraslite.layers.preprocessing import tf_data_bridge

            bridged = tf_data_bridge.call_in_tf_graph(self, args, kwargs)
            if bridged is not None:
                return bridged
        inputs = self._convert_inputs(args[0])
        args = (inputs,) + tuple(args[1:])
        self._check_input_spec(inputs)
        self._maybe_build(inputs)
        takes_training, takes_mask = self._signature()
        training = kwargs.get("training", None)
        if training is None:
            training = current_training()
        if takes_training:
            kwargs["training"] = training
        else:
            kwargs.pop("training", None)
        outermost = outermost_call()
        if outermost:
            self._clear_losses()  # losses describe the latest outermost call only
        explicit_mask = kwargs.pop("mask", None)
        with _TrainingContext(training, self._autocast_dtype()), self._path_scope():
            previous_mask = explicit_mask if explicit_mask is not None else _input_masks(inputs)
            if takes_mask and previous_mask is not None:
                kwargs["mask"] = previous_mask
            outputs = self.call(*args, **kwargs)
            if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
                _record_masks(outputs, self.compute_mask(inputs, previous_mask))
            if outermost:
                attach_output_masks(outputs)
        if self.activity_regularizer is not None:
            self._add_activity_loss(outputs)
        return outputs

    def _add_activity_loss(self, outputs):
        """Adds ``activity_regularizer`` of the (first) output divided by the batch size, as
        Keras 3 does, so the penalty's strength does not depend on the batch size. Symbolic
        calls never get here: they only describe shapes."""
        output = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        if output is None:
            return
        loss = self.activity_regularizer(output)
        if len(output.shape) > 0:
            batch = ops.cast(ops.shape(output)[0], ops.dtype(loss))
            loss = ops.divide(loss, ops.maximum(batch, 1.0))
        self.add_loss(loss)

    def compute_mask(self, inputs: TensorTree, previous_mask: TensorTree = None) -> TensorTree:
        """The mask of this layer's output: by default the input's mask passes through layers
        that support masking and stops at the others (as in Keras)."""
        return previous_mask if self.supports_masking else None

    def _autocast_dtype(self):
        """Float variables are read in the compute dtype under a mixed precision policy."""
        if self.autocast and self.compute_dtype != self.variable_dtype:
            return self.compute_dtype
        return None

    def _signature(self):
        cls = type(self)
        sig = Layer._signature_cache.get(cls)
        if sig is None:
            sig = Layer._signature_cache[cls] = _call_signature(cls)
        return sig

    def _convert_inputs(self, inputs):
        """NumPy/Python inputs become tensors; floats are cast to the compute dtype."""
        compute_dtype = self.compute_dtype

        def convert(x):
            if x is None or isinstance(x, (str, bytes)):
                return x
            if isinstance(x, Variable):
                x = x.value
            if isinstance(x, np.ndarray) and x.dtype.kind in "USO":
                raise TypeError(
                    f"Layer '{self.name}' received a string/object array (dtype={x.dtype}). "
                    "Convert the data to numbers first."
                )
            if isinstance(x, np.ndarray) and x.dtype in _WIDE_INTEGERS and x.size:
                _check_fits_int32(self.name, x)
            if not core.is_tensor(x):
                if isinstance(x, (np.ndarray, list, tuple, int, float, np.generic)):
                    x = core.convert_to_tensor(np.asarray(x) if isinstance(x, list) else x)
                else:
                    return x
            dtype = core.standardize_dtype(x.dtype)
            if self.autocast and "float" in dtype and dtype != compute_dtype:
                x = core.cast(x, compute_dtype)
            return x

        if isinstance(inputs, (list, tuple)) and _is_nested_numbers(inputs):
            # [[1., 2., 3., 4.]] is one array of shape (1, 4), not a structure of scalars.
            return convert(np.asarray(inputs))
        if isinstance(inputs, (list, tuple, dict)):
            return tree.map_structure(convert, inputs)
        return convert(inputs)

    def _symbolic_call(self, args, kwargs):
        from keraslite.models.node import Node

        inputs = args[0]
        self._check_input_spec(inputs)
        self._maybe_build(inputs)
        previous = _symbolic_input_mask(inputs)
        spec_kwargs = kwargs
        if previous is not None and kwargs.get("mask") is None and self._signature()[1]:
            # call(inputs, mask=...) sees the mask while shapes are traced too, as in Keras
            # (the node keeps no mask argument: at run time masks travel beside the values).
            spec_kwargs = {**kwargs, "mask": previous}
        outputs = self.compute_output_spec(*args, **spec_kwargs)
        Node(self, args, kwargs, outputs)
        self._describe_output_mask(inputs, previous, outputs)
        return outputs

    def _describe_output_mask(self, inputs, previous, outputs):
        """Keras's functional API shows an output's mask as a KerasTensor ``_keras_mask``; found
        by abstract evaluation of ``compute_mask`` (no graph node), only where a mask can arise."""
        overrides = type(self).compute_mask is not Layer.compute_mask
        if not (overrides or (self.supports_masking and previous is not None)):
            return
        if previous is None and getattr(type(self).compute_mask, "none_without_masks", False):
            return  # (merges, global pooling: DenseNet121's 58 Concatenates traced 3 times each)
        try:
            with StatelessScope():
                mask = core.compute_output_spec(self.compute_mask, (inputs, previous), {})
        except Exception:  # noqa: BLE001 - a mask that cannot be described is not shown
            return
        _record_symbolic_masks(outputs, mask)

    # True on layers whose ``compute_output_shape`` is exact and whose output has the compute
    # dtype (convolutions, Dense, BatchNormalization, pooling, merges, ...): their symbolic calls
    # skip tracing ``call``, which was most of the time to build an application model. An
    # instance may set it False when its arguments make the shape answer inexact.
    output_spec_from_shape = False

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> TensorTree:
        """KerasTensors describing the outputs, found by abstract evaluation of ``call`` (or,
        with ``output_spec_from_shape``, from ``compute_output_shape`` for one float input or
        one list of float inputs, which autocast brings to the compute dtype)."""
        if self.output_spec_from_shape and len(args) == 1 and self.autocast and _own_call(
                type(self)):
            shapes = _float_input_shapes(args[0])
            if shapes is not None:
                return KerasTensor(self.compute_output_shape(shapes), self.compute_dtype)
        kwargs = dict(kwargs)
        takes_training, takes_mask = self._signature()
        if not takes_training:
            kwargs.pop("training", None)
        if not takes_mask:
            kwargs.pop("mask", None)

        def run(*a, **k):
            inputs = self._convert_inputs(a[0])
            with _TrainingContext(k.get("training"), self._autocast_dtype()), self._path_scope():
                return self.call(inputs, *a[1:], **k)

        # An empty scope swallows any assign made while tracing (e.g. moving statistics).
        with StatelessScope():
            return core.compute_output_spec(run, args, kwargs)

    def compute_output_shape(self, input_shape: ShapeLike) -> ShapeLike:
        shapes = _as_shape_structure(input_shape)
        dummy = tree.map_structure(lambda s: KerasTensor(s, self.compute_dtype), shapes) \
            if not _is_shape(shapes) else KerasTensor(shapes, self.compute_dtype)
        self._maybe_build(dummy)
        out = self.compute_output_spec(dummy)
        return tree.map_structure(lambda t: t.shape, out) if tree.is_nested(out) else out.shape

    # -- config -------------------------------------------------------------------------------
    def get_config(self) -> Config:
        config_: Config = {"name": self.name, "trainable": self.trainable,
                   "dtype": self.dtype_policy}
        if self._batch_input_shape is not None:
            config_["batch_input_shape"] = self._batch_input_shape
        if auto_config.is_user_class(type(self)):
            arguments = auto_config.constructor_config(self)
            if arguments is not None:
                config_.update(arguments)
            elif type(self).get_config is Layer.get_config:
                raise NotImplementedError(
                    f"{type(self).__name__} cannot be saved: its constructor arguments are not "
                    "all plain data (numbers, strings, lists, dicts), so they cannot be recorded "
                    "automatically. Implement get_config() returning them (and from_config() if "
                    "they need rebuilding)."
                )
        return config_

    @classmethod
    def from_config(cls: type[_LayerT], config_: Config) -> _LayerT:
        return auto_config.construct(cls, config_)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    # Node bookkeeping for the functional API.
    @property
    def input(self) -> TensorTree:
        return self._inbound_nodes[0].input_structure if self._inbound_nodes else None

    @property
    def output(self) -> TensorTree:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and has no output.")
        return self._inbound_nodes[0].outputs


# TensorFlow's AutoGraph (tf.data .map, tf.function) calls a callable carrying this attribute as
# it is: layer code has no Python control flow on tensor values (keraslite's own tf.function
# steps run with autograph=False), and converting it takes seconds per layer.
Layer.autograph_info__ = None


_OWN_CALL: dict[type, bool] = {}


def _symbolic_input_mask(inputs):
    """The ``_keras_mask`` of a functional call's KerasTensor input(s), or None."""
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return get_keras_mask(inputs)


def _own_call(cls: type) -> bool:
    """Whether ``call``, ``compute_output_shape`` and any other method the shape answer relies
    on (``_shape_answer_methods``, e.g. a merge's ``_merge_function``) are keraslite's own (a
    user subclass that overrides one keeps the traced output spec)."""
    own = _OWN_CALL.get(cls)
    if own is None:
        names = getattr(cls, "_shape_answer_methods", ("call", "compute_output_shape"))
        own = _OWN_CALL[cls] = all(
            getattr(cls, name).__module__.startswith("keraslite.") for name in names)
    return own


def _float_input_shapes(inputs):
    """The shape of a float KerasTensor, or the list of shapes of a non-empty list of them;
    None for anything else (that takes the traced path)."""
    if isinstance(inputs, KerasTensor):
        return inputs.shape if "float" in inputs.dtype else None
    if isinstance(inputs, (list, tuple)) and inputs and all(
            isinstance(x, KerasTensor) and "float" in x.dtype for x in inputs):
        return [x.shape for x in inputs]
    return None


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _as_shape_structure(shape):
    if _is_shape(tuple(shape)) if isinstance(shape, (list, tuple)) else False:
        return tuple(None if d is None else int(d) for d in shape)
    if isinstance(shape, dict):
        return {k: _as_shape_structure(v) for k, v in shape.items()}
    return [_as_shape_structure(s) for s in shape]


def _resolve_dtype(dtype):
    """(variable dtype, compute dtype, policy name) for a dtype or policy name."""
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if isinstance(dtype, (dict, list, tuple, set)):
        raise TypeError(f"A layer's dtype must be a dtype name (e.g. 'float32') or a policy name "
                        f"('mixed_float16'). Received: {type(dtype).__name__} {dtype!r:.80}")
    if dtype is None:
        return dtype_policies.global_policy_tuple()
    if name in ("mixed_float16", "mixed_bfloat16"):
        return ("float32", name.split("_")[1], name)
    name = core.standardize_dtype(dtype)
    return (name, name, name)


def _is_nested_numbers(value) -> bool:
    """True for a (nested) list of plain Python/NumPy numbers, e.g. ``[[1., 2.], [3., 4.]]``."""
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(_is_nested_numbers(v) for v in value)
    return isinstance(value, (int, float, bool, np.number, np.bool_))


_WIDE_INTEGERS = (np.dtype(np.int64), np.dtype(np.uint64))
_INT32 = np.iinfo(np.int32)


def _check_fits_int32(layer_name: str, x: np.ndarray) -> None:
    """Integer inputs are computed in int32 (JAX without x64 wraps int64 on the way to the
    device), so a value outside int32 is refused rather than silently wrapped. fit/predict
    convert such values for float inputs first (training/input_standardization.py)."""
    outside = (x < _INT32.min) | (x > _INT32.max)
    if outside.any():
        where = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"Layer '{layer_name}' received {x.dtype} values outside the int32 range integer "
            f"inputs are computed in; the first is {x[where]} at index {where}. Ids must fit "
            "int32; pass numeric features as floats (x.astype('float32'))."
        )
