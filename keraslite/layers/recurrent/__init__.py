"""Recurrent layers: cells, the RNN loop (a compiled scan), SimpleRNN/LSTM/GRU and wrappers."""
from keraslite.layers.recurrent.cells import GRUCell, LSTMCell, SimpleRNNCell
from keraslite.layers.recurrent.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from keraslite.layers.recurrent.layers import GRU, LSTM, SimpleRNN
from keraslite.layers.recurrent.rnn import RNN
from keraslite.layers.recurrent.stacked_rnn_cells import StackedRNNCells
from keraslite.layers.recurrent.wrappers import Bidirectional, TimeDistributed

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "SimpleRNN", "LSTM", "GRU",
           "Bidirectional", "TimeDistributed", "StackedRNNCells",
           "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]
