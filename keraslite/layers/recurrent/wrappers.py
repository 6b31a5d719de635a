"""Bidirectional and TimeDistributed: wrappers that run another layer in a new way."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.core.wrapper import Wrapper
from keraslite.layers.layer import Layer

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _copy_layer(layer, name, **overrides):
    """A fresh layer with ``layer``'s config (no weights or state carried over)."""
    from keraslite.saving.serialization import deserialize_layer, serialize_layer

    config = serialize_layer(layer)
    config.pop("build_config", None)
    config["config"] = {**config["config"], "name": name, **overrides}
    return deserialize_layer(config)


def _serialize_unbuilt(layer):
    """The nested layer's config without its build state (the wrapper rebuilds it)."""
    from keraslite.saving.serialization import serialize_layer

    config = serialize_layer(layer)
    config.pop("build_config", None)
    return config


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards, merging the two outputs.

    Args:
        layer: an ``RNN`` instance (e.g. ``LSTM``); copied, so ``layer`` itself stays unused.
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or ``None``
            (return ``[forward, backward]``).
        backward_layer: optional layer to use for the backward direction
            (must have ``go_backwards=True``).

    Example::

        y = keraslite.layers.Bidirectional(keraslite.layers.LSTM(4))(np.ones((2, 5, 3)))  # (2, 8)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Bidirectional: argument `layer` must be a keraslite Layer instance (e.g. LSTM). "
                f"Received: layer={layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "Bidirectional: argument `backward_layer` must be a keraslite Layer instance. "
                f"Received: backward_layer={backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise arg_utils.invalid("Bidirectional", "merge_mode",
                                    "one of 'concat', 'sum', 'mul', 'ave' or None", merge_mode)
        for attr in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attr):
                raise ValueError(
                    f"Bidirectional: argument `layer` must be a recurrent layer with a "
                    f"`{attr}` attribute. Received: layer={type(layer).__name__}")
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, "forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            self.backward_layer = _copy_layer(
                layer, "backward_" + _strip(layer.name, "backward_"),
                go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                "Bidirectional: `backward_layer.go_backwards` must differ from "
                f"`layer.go_backwards`. Received: both are {fwd.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError(
                    f"Bidirectional: `layer.{attr}` and `backward_layer.{attr}` must match. "
                    f"Received: {getattr(fwd, attr)} and {getattr(bwd, attr)}")
        self.merge_mode = merge_mode
        self.return_sequences = fwd.return_sequences
        self.return_state = fwd.return_state
        self.stateful = fwd.stateful
        # Masked steps output zeros so a padded step of one direction never leaks into a merge.
        for sub in (fwd, bwd):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer._build_with_shapes(tuple(sequences_shape))
        self.backward_layer._build_with_shapes(tuple(sequences_shape))
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask[0] if isinstance(mask, (list, tuple)) else mask
        fwd_kwargs, bwd_kwargs = dict(kwargs), dict(kwargs)
        if initial_state is not None:
            states = list(initial_state)
            if len(states) % 2:
                raise ValueError(
                    f"Layer '{self.name}' expects an even number of initial states (forward "
                    f"then backward). Received: {len(states)} initial states.")
            half = len(states) // 2
            fwd_kwargs["initial_state"] = states[:half]
            bwd_kwargs["initial_state"] = states[half:]
        y = self.forward_layer(sequences, **fwd_kwargs)
        y_rev = self.backward_layer(sequences, **bwd_kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            output = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        out = previous_mask if self.return_sequences else None
        masks = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            n = len(getattr(self.forward_layer, "state_size", [])) * 2
            return masks + [None] * n
        return masks if self.merge_mode is None else out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(tuple(sequences_shape))
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        shape = tuple(shape)
        if self.merge_mode == "concat":
            out = shape[:-1] + (shape[-1] * 2,)
        elif self.merge_mode is None:
            out = [shape, shape]
        else:
            out = shape
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states + states
        return out

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _serialize_unbuilt(self.forward_layer),
                "backward_layer": _serialize_unbuilt(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite.saving.serialization import deserialize_layer

        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_layer(backward, custom_objects=custom_objects)
        return cls(layer, backward_layer=backward, **config)


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time step (axis 1) of its input, sharing the weights.

    Example::

        y = keraslite.layers.TimeDistributed(keraslite.layers.Dense(4))(np.ones((2, 5, 3)))
        # shape (2, 5, 4)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    def _child_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' expects an input of rank >= 3 (batch, time, ...). "
                f"Received: shape={input_shape}")
        return (input_shape[0],) + input_shape[2:]

    def build(self, input_shape):
        self.layer._build_with_shapes(self._child_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        steps = shape[1] if shape[1] is not None else ops.shape(inputs)[1]
        flat = ops.reshape(inputs, (-1,) + shape[2:])
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = ops.reshape(mask, (-1,) + tuple(mask.shape[2:]))
        y = self.layer(flat, **kwargs)
        return ops.reshape(y, (-1, steps) + tuple(y.shape[1:]))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child = tuple(self.layer.compute_output_shape(self._child_shape(input_shape)))
        return (input_shape[0], input_shape[1]) + child[1:]
