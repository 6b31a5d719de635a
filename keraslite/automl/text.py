"""Text for keraslite.automl: TextInput, the Embedding and TextBlock blocks, and the
TextClassifier / TextRegressor tasks.

The strings are turned into token ids on the host by a ``TextVectorization`` adapted on the
training text (strings cannot enter a compiled step); the searched network starts from the ids,
and the exported model joins both (``HostPreprocessedModel``), so it takes raw strings.

============  ================================================================================
Embedding     ``embedding_dim`` 32|64|128|256 (64), ``dropout`` 0|0.25|0.5 (0.25);
              ``max_features`` (rows of the table) defaults to the TextInput's vocabulary size
TextBlock     ``vectorizer`` sequence|ngram (sequence). sequence: an Embedding, then
              ``block_type`` conv|rnn|pooling (conv) (conv: ``filters`` 32|64|128 (64),
              ``kernel_size`` 3|5|7 (5), global max pooling; rnn: a bidirectional LSTM of
              ``units`` 16|32|64 (32); pooling: global average), then a Dense layer of
              ``dense_units`` 32|64|128 (64). ngram: a ``bag`` multi_hot|count|tf_idf
              (multi_hot) of the tokens (single words), then ``dense_units`` 32|64|128 (64) and
              ``dropout`` 0|0.25|0.5 (0.25)
============  ================================================================================
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from keraslite import layers
from keraslite.automl.auto_model import AutoModel
from keraslite.automl.heads import ClassificationHead, RegressionHead
from keraslite.automl.nodes import Block, InputNode, Node
from keraslite.automl.sequence_blocks import check_option, choice, one_input
from keraslite.automl.stored_statistics import normalized

MAX_SEQUENCE_LENGTH = 512  # an automatic sequence length is the longest text, up to this


class TextInput(InputNode):
    """Raw text: strings of shape (samples,) or (samples, 1).

    ``adapt`` builds the vocabulary (at most ``max_tokens`` entries, padding and out-of-
    vocabulary included) and fixes the sequence length (``sequence_length``, or the longest
    training text up to 512 tokens); the network then sees int32 token ids.
    """

    dtype = "int32"  # what the network's Input takes: the token ids

    def __init__(self, max_tokens: int = 20000, sequence_length: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        for argument, value in (("max_tokens", max_tokens),
                                ("sequence_length", sequence_length)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < (3 if argument == "max_tokens" else 1)):
                raise ValueError(f"TextInput: {argument} must be a positive int (max_tokens "
                                 f"at least 3). Received: {value!r}")
        self.max_tokens, self.sequence_length = max_tokens, sequence_length
        self.vectorizer: Any = None

    def prepare(self, x: Any, what: str = "x") -> np.ndarray:
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
            raise ValueError(f"{what} of {self.name}: expected an array or list of strings "
                             f"(samples,), received {type(x).__name__}.")
        array = np.asarray(x, dtype=object)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(f"{what} of {self.name}: expected strings of shape (samples,) or "
                             f"(samples, 1), received an array of shape {array.shape}.")
        for index, item in enumerate(array):
            if not isinstance(item, str):
                raise ValueError(f"{what} of {self.name}: expected strings, received "
                                 f"{type(item).__name__} {item!r} at index {index}.")
        return array

    def adapt(self, x: np.ndarray) -> None:
        length = self.sequence_length
        if length is None:
            longest = max((len(text.split()) for text in x), default=1)
            length = int(min(max(longest, 1), MAX_SEQUENCE_LENGTH))
        vectorizer = layers.TextVectorization(max_tokens=self.max_tokens,
                                              output_sequence_length=length)
        vectorizer.adapt(x)
        self.vectorizer = vectorizer
        self.vocabulary_size = size = int(vectorizer.vocabulary_size())
        # Inverse document frequency per token id (Keras's formula), for tf_idf bags.
        ids = np.asarray(vectorizer(x)).astype(np.int64)
        rows = np.repeat(np.arange(len(ids)), ids.shape[1])
        present = np.unique(rows * size + ids.ravel()) % size  # (document, token) once each
        documents = np.bincount(present, minlength=size)
        self.idf = np.log1p(len(ids) / (1.0 + documents)).astype(np.float32)
        self.shape = (length,)
        self.mean = self.variance = None  # token ids are not normalized


class _TextBlockBase(Block):
    """Remembers the nodes it was called on, to find the TextInput (and its vocabulary size)."""

    def __call__(self, inputs: Any) -> Node:
        node = super().__call__(inputs)
        self._nodes = node.inputs
        return node

    def _vocabulary_size(self) -> int:
        return self._text_input().vocabulary_size

    def _text_input(self) -> "TextInput":
        pending, seen = list(getattr(self, "_nodes", ())), set()
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, TextInput):
                if node.vectorizer is None:
                    raise ValueError(f"{node.name} has not seen data yet: call fit first.")
                return node
            pending.extend(node.inputs)
        raise ValueError(f"{self.name} must be called on a TextInput (or a block fed by one): "
                         "it needs the vocabulary size.")

    def _ids(self, inputs: list) -> Any:
        x = one_input(self, inputs)
        if len(x.shape) != 2:
            raise ValueError(f"{self.name} takes token ids (batch, steps) from a TextInput; "
                             f"received a tensor of shape {tuple(x.shape)}.")
        return x


def _embed(block: _TextBlockBase, hp: Any, ids: Any, max_features: Optional[int],
           embedding_dim: Optional[int], dropout: Optional[float]) -> Any:
    vocabulary = block._vocabulary_size()
    rows = vocabulary if max_features is None else max_features
    if rows < vocabulary:
        raise ValueError(f"{block.name}: max_features={rows} is smaller than the vocabulary "
                         f"({vocabulary} tokens); lower TextInput(max_tokens=...) instead.")
    dim = choice(hp, "embedding_dim", embedding_dim, [32, 64, 128, 256], 64)
    x = layers.Embedding(rows, dim)(ids)
    rate = choice(hp, "embedding_dropout", dropout, [0.0, 0.25, 0.5], 0.25)
    return layers.Dropout(rate)(x) if rate > 0 else x


class Embedding(_TextBlockBase):
    """Token ids (batch, steps) -> vectors (batch, steps, embedding_dim)."""

    def __init__(self, max_features: Optional[int] = None, embedding_dim: Optional[int] = None,
                 dropout: Optional[float] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        self.max_features, self.embedding_dim, self.dropout = max_features, embedding_dim, dropout

    def build(self, hp: Any, inputs: list) -> Any:
        return _embed(self, hp, self._ids(inputs), self.max_features, self.embedding_dim,
                      self.dropout)


class TextBlock(_TextBlockBase):
    """A whole text network on token ids: an embedded sequence model or a bag of words."""

    def __init__(self, vectorizer: Optional[str] = None, block_type: Optional[str] = None,
                 max_features: Optional[int] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        check_option("TextBlock", "vectorizer", vectorizer, ["sequence", "ngram"])
        check_option("TextBlock", "block_type", block_type, ["conv", "rnn", "pooling"])
        self.vectorizer, self.block_type, self.max_features = vectorizer, block_type, max_features

    def build(self, hp: Any, inputs: list) -> Any:
        ids = self._ids(inputs)
        kind = choice(hp, "vectorizer", self.vectorizer, ["sequence", "ngram"], "sequence")
        units = hp.Choice("dense_units", [32, 64, 128], default=64)
        if kind == "ngram":
            bag = hp.Choice("bag", ["multi_hot", "count", "tf_idf"], default="multi_hot")
            x = layers.CategoryEncoding(num_tokens=self._vocabulary_size(),
                                        output_mode="multi_hot" if bag == "multi_hot"
                                        else "count")(ids)
            if bag == "tf_idf":  # counts times idf: (x - 0) / sqrt(1 / idf**2)
                idf = self._text_input().idf
                x = normalized(x, np.zeros_like(idf), 1.0 / idf**2)
            x = layers.Dense(units, activation="relu")(x)
            rate = hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.25)
            return layers.Dropout(rate)(x) if rate > 0 else x
        x = _embed(self, hp, ids, self.max_features, None, None)
        block = choice(hp, "block_type", self.block_type, ["conv", "rnn", "pooling"], "conv")
        if block == "conv":
            filters = hp.Choice("filters", [32, 64, 128], default=64)
            kernel = hp.Choice("kernel_size", [3, 5, 7], default=5)
            x = layers.Conv1D(filters, kernel, padding="same", activation="relu")(x)
            x = layers.GlobalMaxPooling1D()(x)
        elif block == "rnn":
            rnn_units = hp.Choice("rnn_units", [16, 32, 64], default=32)
            x = layers.Bidirectional(layers.LSTM(rnn_units))(x)
        else:
            x = layers.GlobalAveragePooling1D()(x)
        return layers.Dense(units, activation="relu")(x)


class TextClassifier(AutoModel):
    """Strings -> class labels; searches a TextBlock and the head.

    Example::

        clf = keraslite.automl.TextClassifier(max_trials=3, seed=0)
        clf.fit(np.array(["a good film", "a bad film", ...]), labels, epochs=5)
        clf.export_model().predict(np.array(["a good one"]))   # raw strings in
    """

    def __init__(self, num_classes: Optional[int] = None, multi_label: bool = False,
                 loss: Any = None, metrics: Any = None, project_name: str = "text_classifier",
                 objective: Any = None, max_tokens: int = 20000, **kwargs: Any) -> None:
        inputs = TextInput(max_tokens=max_tokens)
        head = ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss,
                                  metrics=metrics)
        super().__init__(inputs, head(TextBlock()(inputs)), project_name=project_name,
                         objective="val_loss" if objective is None else objective, **kwargs)


class TextRegressor(AutoModel):
    """Strings -> numbers; searches a TextBlock and a regression head."""

    def __init__(self, output_dim: Optional[int] = None, loss: Any = None, metrics: Any = None,
                 project_name: str = "text_regressor", objective: Any = None,
                 max_tokens: int = 20000, **kwargs: Any) -> None:
        inputs = TextInput(max_tokens=max_tokens)
        head = RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics)
        super().__init__(inputs, head(TextBlock()(inputs)), project_name=project_name,
                         objective="val_loss" if objective is None else objective, **kwargs)
