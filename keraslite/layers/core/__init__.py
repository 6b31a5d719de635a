"""Core layers: Input, Dense, Activation, and the other everyday building blocks."""
from keraslite.layers.core.input_layer import Input, InputLayer
from keraslite.layers.core.dense import Dense
from keraslite.layers.core.activation import Activation
from keraslite.layers.core.embedding import Embedding
from keraslite.layers.core.reversible_embedding import ReversibleEmbedding
from keraslite.layers.core.masking import Masking
from keraslite.layers.core.lambda_layer import Lambda
from keraslite.layers.core.identity import Identity
from keraslite.layers.core.activity_regularization import ActivityRegularization
from keraslite.layers.core.wrapper import Wrapper

__all__ = ["Input", "InputLayer", "Dense", "Activation", "Embedding", "Masking", "Lambda",
           "Identity", "ActivityRegularization", "ReversibleEmbedding", "Wrapper"]
