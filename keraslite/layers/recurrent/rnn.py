"""RNN: runs a recurrent cell over the time axis with one compiled scan (the backend's
``rnn.time_loop``)."""
from __future__ import annotations

import inspect

from keraslite import ops
from keraslite.backends import rnn as backend_rnn
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class RNN(Layer):
    """Base class for recurrent layers: applies ``cell`` to each time step of a
    ``(batch, time, features)`` input.

    Args:
        cell: a cell layer with ``call(inputs, states) -> (output, new_states)`` and a
            ``state_size`` attribute (int or list of ints).
        return_sequences: return the output of every step (``(batch, time, units)``) instead
            of the last one.
        return_state: also return the final states (``[output] + states``).
        go_backwards: process the sequence in reverse (outputs are in processing order).
        stateful: the last states of a batch become the initial states of the next one (the
            batch size must be fixed); ``reset_states()`` zeroes them.
        unroll: unroll the time loop (faster for short sequences, more memory).
        zero_output_for_mask: with ``return_sequences``, masked steps output zeros instead of
            repeating the previous output.

    Masked time steps (``mask=`` of shape ``(batch, time)``, or a mask from an upstream layer
    such as ``Embedding(mask_zero=True)``) keep the previous states and output.

    Example::

        layer = keraslite.layers.RNN(keraslite.layers.LSTMCell(8), return_sequences=True)
        y = layer(np.ones((2, 5, 3)))   # shape (2, 5, 8)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            raise ValueError(
                f"{type(self).__name__}: argument `cell` must be a single cell; stacked cells are "
                f"not supported. Received: cell=a list of {len(cell)} cells")
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(
                f"{type(self).__name__}: argument `cell` must be a layer with a `call(inputs, "
                f"states)` method and a `state_size` attribute. Received: cell={cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self.states = None
        params = inspect.signature(cell.call).parameters
        self._cell_takes_training = "training" in params or any(
            p.kind is p.VAR_KEYWORD for p in params.values())

    # -- sizes ----------------------------------------------------------------------------
    @property
    def state_size(self):
        return _as_list(self.cell.state_size)

    @property
    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else self.state_size[0]

    # -- build ----------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' expects an input of rank >= 3 (batch, time, features). "
                f"Received: shape={sequences_shape}")
        step_shape = (sequences_shape[0],) + sequences_shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._build_with_shapes(step_shape)
        if self.stateful:
            batch = sequences_shape[0]
            if batch is None:
                raise ValueError(
                    f"Layer '{self.name}' is stateful, so it needs a fixed batch size. Pass "
                    "`batch_size=` to `Input` (or `batch_input_shape=`). "
                    f"Received: input shape={sequences_shape}")
            from keraslite.variables import Variable

            # Not weights (Keras's get_weights leaves them out), but carried with the layer's
            # variables so compiled predict/fit steps read and update them.
            self.states = [
                Variable(ops.zeros((batch, s), dtype=self.variable_dtype), trainable=False,
                         name="rnn_state")
                for s in self.state_size
            ]
            for v in self.states:
                v.path = f"{self.name}/{v.name}"
        self.built = True

    def _all_seed_variables(self):
        return super()._all_seed_variables() + list(self.states or [])

    def reset_states(self):
        """Zeroes the states of a stateful layer."""
        for v in self.states or []:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    reset_state = reset_states

    def get_initial_state(self, batch_size):
        if hasattr(self.cell, "get_initial_state"):
            return _as_list(self.cell.get_initial_state(batch_size=batch_size))
        return [ops.zeros((batch_size, s), dtype=self.compute_dtype) for s in self.state_size]

    # -- call -----------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        batch = ops.shape(sequences)[0]
        if initial_state is not None:
            states = [ops.cast(s, self.compute_dtype) for s in _as_list(initial_state)]
            if len(states) != len(self.state_size):
                raise ValueError(
                    f"Layer '{self.name}' expects {len(self.state_size)} initial state(s) "
                    f"(state_size={self.state_size}). Received: {len(states)} initial state(s).")
        elif self.stateful:
            states = [ops.cast(v.value, self.compute_dtype) for v in self.states]
        else:
            states = self.get_initial_state(batch)

        xs = ops.moveaxis(sequences, 1, 0)  # time-major for the scan
        if mask is not None:
            mask = ops.moveaxis(ops.cast(mask, "bool"), 1, 0)
        if self.go_backwards:
            xs = ops.flip(xs, axis=0)
            mask = None if mask is None else ops.flip(mask, axis=0)

        cell = self.cell
        cell_kwargs = {"training": training} if self._cell_takes_training else {}
        set_masks = hasattr(cell, "make_dropout_masks")
        if set_masks:
            # One dropout mask per sequence, reused at every step (as in Keras).
            dp, rdp = cell.make_dropout_masks(xs[0], states[0], training)
            cell._dropout_mask, cell._recurrent_dropout_mask = dp, rdp
        single_state = not isinstance(cell.state_size, (list, tuple))
        keep_sequences = self.return_sequences
        zero_masked = self.zero_output_for_mask
        # The built-in cells output their first state, so without a mask the last output is
        # the final first state: carrying it separately would add a carry and a saved
        # residual per step to a loop whose cost on CPU is mostly per-step overhead.
        carry_last = mask is not None or not getattr(cell, "output_is_first_state", False)
        dtype = self.compute_dtype

        def step(carry, inputs):
            states, last = carry if carry_last else (carry, None)
            x_t, m_t = inputs if mask is not None else (inputs, None)
            out, new_states = cell.call(x_t, states[0] if single_state else list(states),
                                        **cell_kwargs)
            new_states = [ops.cast(s, states[i].dtype) for i, s in enumerate(_as_list(new_states))]
            out = ops.cast(out, dtype)
            if m_t is not None:
                keep = ops.expand_dims(m_t, -1)
                new_states = [ops.where(keep, n, s) for n, s in zip(new_states, states)]
                out = ops.where(keep, out, ops.zeros_like(out) if zero_masked else states[0])
            new_carry = (new_states, out) if carry_last else new_states
            return new_carry, (out if keep_sequences else ())

        init = states
        if carry_last:
            init = (states, ops.zeros((batch, self._output_size), dtype=dtype))
        scan_xs = xs if mask is None else (xs, mask)
        try:
            # The backend's time loop: on JAX/CPU it recomputes each step in the backward pass
            # instead of storing the gates of every step (backends/jax/rnn.py says why).
            carry, outputs = backend_rnn.time_loop(step, init, scan_xs,
                                                   unroll=True if self.unroll else 1)
        finally:
            if set_masks:
                cell._dropout_mask = cell._recurrent_dropout_mask = None
        states, last = carry if carry_last else (carry, carry[0])

        if self.stateful:
            for v, s in zip(self.states, states):
                v.assign(ops.cast(s, v.dtype))
        output = ops.moveaxis(outputs, 0, 1) if keep_sequences else last
        if self.return_state:
            return [output] + list(states)
        return output

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        output_mask = previous_mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        batch = sequences_shape[0]
        out = ((batch, sequences_shape[1], self._output_size) if self.return_sequences
               else (batch, self._output_size))
        if self.return_state:
            return [out] + [(batch, s) for s in self.state_size]
        return out

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        from keraslite.saving.serialization import serialize_layer

        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_layer(self.cell),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite.saving.serialization import deserialize_layer

        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


class _CellLayer(RNN):
    """An RNN whose cell is built from the layer's own arguments (SimpleRNN, LSTM, GRU)."""

    _cell_class = None
    _cell_arg_names = ()

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, activity_regularizer=None, use_cudnn="auto",
                 **kwargs):
        cell_args = {k: kwargs.pop(k) for k in list(kwargs) if k in self._cell_arg_names}
        cell = self._cell_class(units, name=_cell_name(type(self).__name__),
                                dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                                **cell_args)
        kwargs.pop("implementation", None)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.use_cudnn = use_cudnn
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name):
        # Cell arguments read through the layer (layer.units, layer.dropout, ...), as in Keras.
        cell = self.__dict__.get("cell")
        if cell is not None and (name in type(self)._cell_arg_names or name == "units"):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        config = super().get_config()
        cell_config = config.pop("cell")["config"]
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = arg_utils.serialize("regularizers",
                                                             self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _cell_name(layer_cls_name):
    from keraslite.utils import naming

    return naming.unique_name(naming.to_snake_case(layer_cls_name) + "_cell")
