"""ConvLSTM1D/2D/3D (Shi et al., 2015): an LSTM whose gates are convolutions, for sequences of
feature maps. The time loop is the ``RNN`` scan; the cell does two convolutions per step."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.recurrent.rnn import RNN, _CellLayer, _cell_name

_CELL_ARGS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
              "recurrent_dropout", "seed")


class ConvLSTMCell(Layer):
    """One ConvLSTM step on ``rank``-D feature maps; states ``[h, c]`` are feature maps with
    ``filters`` channels. Gates (input, forget, cell, output) come from
    ``conv(x, kernel) + conv(h, recurrent_kernel, 'same') + bias``."""

    rank = 2
    # Each step's output is its new h: RNN then needs no separate output carry.
    output_is_first_state = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations, initializers
        from keraslite.random import SeedGenerator

        cls, n = type(self).__name__, self.rank
        self.filters = arg_utils.positive_int(cls, "filters", filters)
        self.kernel_size = arg_utils.normalize_tuple(cls, "kernel_size", kernel_size, n)
        self.strides = arg_utils.normalize_tuple(cls, "strides", strides, n)
        self.dilation_rate = arg_utils.normalize_tuple(cls, "dilation_rate", dilation_rate, n)
        self.padding = arg_utils.standardize_padding(cls, padding)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.recurrent_regularizer = arg_utils.get("regularizers", recurrent_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.recurrent_constraint = arg_utils.get("constraints", recurrent_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise arg_utils.invalid(cls, arg, "a float in [0, 1)", rate)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed) if self.dropout or self.recurrent_dropout \
            else None
        self._dropout_mask = self._recurrent_dropout_mask = None
        self._state_shape = None

    @property
    def state_size(self):
        return [self.filters, self.filters]

    @property
    def output_size(self):
        return self.filters

    def build(self, input_shape):
        channels_last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if channels_last else input_shape[2:]
        channels = input_shape[-1] if channels_last else input_shape[1]
        if len(input_shape) != self.rank + 2 or channels is None:
            raise ValueError(f"Layer '{self.name}' expects steps of rank {self.rank + 2} "
                             f"(batch, {self.rank} spatial axes, channels) with known channels. "
                             f"Received: step shape={tuple(input_shape)}")
        out = tuple(arg_utils.conv_output_length(s, k, st, self.padding, d) for s, k, st, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(s is None for s in out):
            raise ValueError(f"Layer '{self.name}' needs known spatial sizes. "
                             f"Received: step shape={tuple(input_shape)}")
        self._state_shape = out + (self.filters,) if channels_last else (self.filters,) + out
        gates = 4 * self.filters
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, gates), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, gates),
            initializer=self.recurrent_initializer, name="recurrent_kernel",
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(gates,), initializer=self._bias_init(),
                                        name="bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        filters, base = self.filters, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            # The forget gate starts open (bias 1), as for LSTM.
            return ops.concatenate([
                ops.convert_to_tensor(base((filters,), dtype=dtype), dtype=dtype),
                ops.ones((filters,), dtype=dtype),
                ops.convert_to_tensor(base((2 * filters,), dtype=dtype), dtype=dtype)])

        return forget_bias_one

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size,) + self._state_shape, dtype=self.compute_dtype)
                for _ in range(2)]

    def make_dropout_masks(self, step_input, state, training):
        from keraslite import random

        dp = rdp = None
        if training and self.dropout > 0:
            dp = random.dropout(ops.ones_like(step_input), self.dropout, seed=self.seed_generator)
        if training and self.recurrent_dropout > 0:
            rdp = random.dropout(ops.ones_like(state), self.recurrent_dropout,
                                 seed=self.seed_generator)
        return dp, rdp

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp, rdp = self._dropout_mask, self._recurrent_dropout_mask
        if dp is None and rdp is None and training:
            dp, rdp = self.make_dropout_masks(inputs, h_tm1, training)
        if dp is not None:
            inputs = inputs * dp
        if rdp is not None:
            h_tm1 = h_tm1 * rdp
        kernel = arg_utils.autocast(self.kernel, self.compute_dtype)
        recurrent = arg_utils.autocast(self.recurrent_kernel, self.compute_dtype)
        z = ops.conv(inputs, kernel, self.strides, self.padding, self.data_format,
                     self.dilation_rate)
        z = z + ops.conv(h_tm1, recurrent, 1, "same", self.data_format)
        channel_axis = -1 if self.data_format == "channels_last" else 1
        if self.bias is not None:
            shape = [1] * len(z.shape)
            shape[channel_axis] = 4 * self.filters
            z = z + ops.reshape(arg_utils.autocast(self.bias, self.compute_dtype), shape)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=channel_axis)
        i, f = self.recurrent_activation(z_i), self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                "activation": arg_utils.serialize("activations", self.activation),
                "recurrent_activation": arg_utils.serialize("activations",
                                                            self.recurrent_activation),
                "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias,
                "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
                "recurrent_initializer": arg_utils.serialize("initializers",
                                                             self.recurrent_initializer),
                "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
                "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
                "recurrent_regularizer": arg_utils.serialize("regularizers",
                                                             self.recurrent_regularizer),
                "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
                "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
                "recurrent_constraint": arg_utils.serialize("constraints",
                                                            self.recurrent_constraint),
                "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


class ConvLSTM1DCell(ConvLSTMCell):
    """ConvLSTM step on 1-D feature maps."""

    rank = 1


class ConvLSTM2DCell(ConvLSTMCell):
    """ConvLSTM step on 2-D feature maps."""

    rank = 2


class ConvLSTM3DCell(ConvLSTMCell):
    """ConvLSTM step on 3-D feature maps."""

    rank = 3


class _ConvLSTM(_CellLayer):
    """RNN over a ConvLSTM cell, configured by flat arguments as in Keras."""

    _cell_arg_names = _CELL_ARGS

    # Keras's signature and order: a script may pass strides, padding, ... positionally.
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        given = locals()
        kwargs.update({k: given[k] for k in _CELL_ARGS if k not in ("filters", "kernel_size")})
        cls = type(self).__name__
        if stateful:
            raise ValueError(f"{cls}: `stateful=True` is not supported by keraslite (the "
                             "states are feature maps). Received: stateful=True")
        cell_args = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_ARGS}
        cell = self._cell_class(filters, kernel_size, name=_cell_name(cls),
                                dtype=kwargs.get("dtype"),
                                trainable=kwargs.get("trainable", True), **cell_args)
        RNN.__init__(self, cell, return_sequences=return_sequences, return_state=return_state,
                     go_backwards=go_backwards, stateful=False, unroll=unroll, **kwargs)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.input_spec = InputSpec(ndim=cell.rank + 3)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        cell = self.cell
        if cell._state_shape is None:
            cell._build_with_shapes((input_shape[0],) + input_shape[2:])
        step = (input_shape[0],) + cell._state_shape
        out = (step[0], input_shape[1]) + step[1:] if self.return_sequences else step
        return [out, step, step] if self.return_state else out


class ConvLSTM1D(_ConvLSTM):
    """ConvLSTM over ``(batch, time, steps, channels)`` sequences.

    Example::

        y = keraslite.layers.ConvLSTM1D(4, 3)(np.ones((2, 5, 10, 3)))  # (2, 8, 4)
    """

    _cell_class = ConvLSTM1DCell


class ConvLSTM2D(_ConvLSTM):
    """ConvLSTM over ``(batch, time, rows, cols, channels)`` sequences (channels_last).

    Weights (Keras layout): ``kernel`` (kh, kw, channels, 4 * filters), ``recurrent_kernel``
    (kh, kw, filters, 4 * filters), ``bias`` (4 * filters,), gates ordered input, forget,
    cell, output.

    Example::

        y = keraslite.layers.ConvLSTM2D(8, 3, padding="same")(frames)  # (batch, H, W, 8)
    """

    _cell_class = ConvLSTM2DCell


class ConvLSTM3D(_ConvLSTM):
    """ConvLSTM over ``(batch, time, d1, d2, d3, channels)`` sequences."""

    _cell_class = ConvLSTM3DCell
