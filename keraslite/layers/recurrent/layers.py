"""SimpleRNN, LSTM and GRU: an ``RNN`` around the matching cell, configured by flat arguments."""
from __future__ import annotations

from keraslite.layers.recurrent.cells import GRUCell, LSTMCell, SimpleRNNCell
from keraslite.layers.recurrent.rnn import _CellLayer

_COMMON = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer",
           "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
           "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
           "recurrent_dropout", "seed")


def _forwarded(args: dict) -> dict:
    """An ``__init__``'s ``locals()`` as keyword arguments for ``_CellLayer.__init__``."""
    # The explicit signatures below exist so that positional calls bind as in Keras
    # (``LSTM(64, "tanh")`` is the activation, not return_sequences).
    args = dict(args)
    args.pop("self")
    args.pop("__class__", None)
    extra = args.pop("kwargs")
    return {**args, **extra}


class SimpleRNN(_CellLayer):
    """Fully connected RNN whose output is fed back as the next step's state.

    Example::

        y = keraslite.layers.SimpleRNN(4)(np.ones((2, 5, 3)))   # shape (2, 4)
    """

    _cell_class = SimpleRNNCell
    _cell_arg_names = _COMMON

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(**_forwarded(locals()))


class LSTM(_CellLayer):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997).

    Weights (as in Keras): ``kernel (input_dim, 4u)``, ``recurrent_kernel (u, 4u)``,
    ``bias (4u,)`` with gates in the order input, forget, cell, output.

    Example::

        layer = keraslite.layers.LSTM(8, return_state=True)
        out, h, c = layer(np.ones((2, 5, 3)))
    """

    _cell_class = LSTMCell
    _cell_arg_names = _COMMON + ("recurrent_activation", "unit_forget_bias")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        super().__init__(**_forwarded(locals()))


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al., 2014); ``reset_after=True`` is the cuDNN variant.

    Example::

        y = keraslite.layers.GRU(8, return_sequences=True)(np.ones((2, 5, 3)))  # (2, 5, 8)
    """

    _cell_class = GRUCell
    _cell_arg_names = _COMMON + ("recurrent_activation", "reset_after")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        super().__init__(**_forwarded(locals()))
