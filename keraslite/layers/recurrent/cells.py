"""Recurrent cells: one time step of SimpleRNN, LSTM and GRU.

A cell maps ``(inputs_t, states)`` to ``(output_t, new_states)``; ``RNN`` runs it over time with
a compiled ``ops.scan``. Weight names, shapes and gate orders follow Keras 3, so weights move
between Keras and keraslite with ``set_weights``.
"""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def _rate(cls_name, arg, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise arg_utils.invalid(cls_name, arg, "a float in [0, 1]", value)
    return float(value)


class _RecurrentCell(Layer):
    """Shared argument handling, dropout masks and config of the built-in cells.

    Dropout masks are drawn once per sequence (the same units are dropped at every step, as in
    Keras): ``RNN`` sets them before its scan; a cell called on its own draws them per call.
    """

    _gates = 1
    # Each step's output is its new first state (h); RNN relies on it to skip a carry.
    output_is_first_state = True

    def __init__(self, units, activation="tanh", recurrent_activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        cls = type(self).__name__
        self.units = arg_utils.positive_int(cls, "units", units)
        self.activation = activations.get(activation)
        self.recurrent_activation = (activations.get(recurrent_activation)
                                     if recurrent_activation is not None else None)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.recurrent_regularizer = arg_utils.get("regularizers", recurrent_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.recurrent_constraint = arg_utils.get("constraints", recurrent_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.dropout = _rate(cls, "dropout", dropout)
        self.recurrent_dropout = _rate(cls, "recurrent_dropout", recurrent_dropout)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise arg_utils.invalid(cls, "seed", "an int or None", seed)
        self.seed = seed
        self.seed_generator = None
        if self.dropout > 0 or self.recurrent_dropout > 0:
            from keraslite.random import SeedGenerator

            self.seed_generator = SeedGenerator(seed)
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    # -- state ----------------------------------------------------------------------------
    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [ops.zeros((batch_size, s), dtype=self.compute_dtype) for s in sizes]

    # -- dropout --------------------------------------------------------------------------
    def make_dropout_masks(self, step_input, state, training):
        """(input mask, recurrent mask), each None when that dropout is off."""
        from keraslite import random

        dp = rdp = None
        if training and 0 < self.dropout < 1:
            dp = random.dropout(ops.ones_like(step_input), self.dropout, seed=self.seed_generator)
        if training and 0 < self.recurrent_dropout < 1:
            rdp = random.dropout(ops.ones_like(state), self.recurrent_dropout,
                                 seed=self.seed_generator)
        return dp, rdp

    def _masks(self, inputs, h_tm1, training):
        if self._dropout_mask is not None or self._recurrent_dropout_mask is not None:
            return self._dropout_mask, self._recurrent_dropout_mask
        return self.make_dropout_masks(inputs, h_tm1, training)

    # -- weights --------------------------------------------------------------------------
    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known last axis to create its kernel. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        n = self._gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, n), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, n), initializer=self.recurrent_initializer,
            name="recurrent_kernel", regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(), initializer=self._bias_initializer(), name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _read(self, variable):
        return arg_utils.autocast(variable, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": arg_utils.serialize("activations", self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
            "recurrent_initializer": arg_utils.serialize("initializers",
                                                         self.recurrent_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
            "recurrent_regularizer": arg_utils.serialize("regularizers",
                                                         self.recurrent_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
            "recurrent_constraint": arg_utils.serialize("constraints", self.recurrent_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = arg_utils.serialize("activations",
                                                                 self.recurrent_activation)
        return config


def _first_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


class SimpleRNNCell(_RecurrentCell):
    """One step of a fully connected RNN: ``h = activation(x @ kernel + h_prev @ recurrent_kernel
    + bias)``.

    Example::

        cell = keraslite.layers.SimpleRNNCell(4)
        y = keraslite.layers.RNN(cell)(np.ones((2, 5, 3)))   # shape (2, 4)
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def call(self, inputs, states, training=None):
        h_tm1 = _first_state(states)
        dp, rdp = self._masks(inputs, h_tm1, training)
        if dp is not None:
            inputs = inputs * dp
        if rdp is not None:
            h_tm1 = h_tm1 * rdp
        h = ops.matmul(inputs, self._read(self.kernel))
        if self.bias is not None:
            h = h + self._read(self.bias)
        h = h + ops.matmul(h_tm1, self._read(self.recurrent_kernel))
        if self.activation is not None:
            h = self.activation(h)
        return h, ([h] if isinstance(states, (list, tuple)) else h)


class LSTMCell(_RecurrentCell):
    """One LSTM step. Gates are packed in the order input, forget, cell, output: ``kernel``
    is ``(input_dim, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)``, ``bias``
    ``(4 * units,)``. States are ``[h, c]``.

    Example::

        y = keraslite.layers.RNN(keraslite.layers.LSTMCell(8))(np.ones((2, 5, 3)))
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            # The forget gate starts open (bias 1) so gradients flow through early training.
            return ops.concatenate([
                ops.convert_to_tensor(base((units,), dtype=dtype), dtype=dtype),
                ops.ones((units,), dtype=dtype),
                ops.convert_to_tensor(base((2 * units,), dtype=dtype), dtype=dtype),
            ])

        return forget_bias_one

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp, rdp = self._masks(inputs, h_tm1, training)
        if dp is not None:
            inputs = inputs * dp
        if rdp is not None:
            h_tm1 = h_tm1 * rdp
        z = ops.matmul(inputs, self._read(self.kernel))
        z = z + ops.matmul(h_tm1, self._read(self.recurrent_kernel))
        if self.bias is not None:
            z = z + self._read(self.bias)
        # One split, not four slices: its gradient is one concatenation, where four slices
        # give four pads and three adds per step of the backward loop.
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_RecurrentCell):
    """One GRU step. Gates are packed in the order update (z), reset (r), candidate (h).

    ``reset_after=True`` (the default, cuDNN-compatible) applies the reset gate after the
    recurrent matmul and keeps separate input and recurrent biases: ``bias`` is
    ``(2, 3 * units)``; with ``reset_after=False`` it is ``(3 * units,)``.
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h_tm1 = _first_state(states)
        h_prev = h_tm1
        dp, rdp = self._masks(inputs, h_tm1, training)
        if dp is not None:
            inputs = inputs * dp
        if rdp is not None:
            h_tm1 = h_tm1 * rdp
        u = self.units
        kernel = self._read(self.kernel)
        recurrent_kernel = self._read(self.recurrent_kernel)
        input_bias = recurrent_bias = None
        if self.bias is not None:
            bias = self._read(self.bias)
            if self.reset_after:
                input_bias, recurrent_bias = bias[0], bias[1]
            else:
                input_bias = bias
        x = ops.matmul(inputs, kernel)
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)  # one split: one concat in the gradient
        if self.reset_after:
            inner = ops.matmul(h_tm1, recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            h_z, h_r, h_h = ops.split(inner, 3, axis=-1)
        else:
            h_z, h_r = ops.split(ops.matmul(h_tm1, recurrent_kernel[:, :2 * u]), 2, axis=-1)
        z = self.recurrent_activation(x_z + h_z)
        r = self.recurrent_activation(x_r + h_r)
        if self.reset_after:
            rec_h = r * h_h
        else:
            rec_h = ops.matmul(r * h_tm1, recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + rec_h)
        h = z * h_prev + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}
