"""Vocabulary lookups: IntegerLookup, StringLookup and TextVectorization.

String handling runs host-side in NumPy (strings cannot enter a JAX graph): these layers work
eagerly on NumPy/Python string data and return backend int or float tensors. IntegerLookup on
integer tensors uses ops only, so it also runs inside compiled models. The vocabulary is plain
data kept in the config.
"""
from __future__ import annotations

import collections
import re
import string

import numpy as np

from keraslite import backend, ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing.encoding import encode_categorical
from keraslite.layers.preprocessing.string_hash import fingerprint64
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils.unsupported_args import require_default

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _is_string_array(x):
    return isinstance(x, np.ndarray) and x.dtype.kind in "USO"


def _is_string_tensor(x):
    """An eager string tensor from a data pipeline (e.g. a tf.data batch), whatever backend."""
    return "string" in str(getattr(x, "dtype", "")) and hasattr(x, "numpy")


def _to_host_strings(x):
    """Any string-like input -> NumPy object array of Python ``str``."""
    if _is_string_tensor(x):
        try:
            x = x.numpy()
        except Exception as error:  # a symbolic graph tensor has no value to read
            raise TypeError(
                "String preprocessing runs host-side on concrete values and cannot run inside "
                "a traced graph (e.g. tf.data .map or a compiled model). Apply the layer to "
                f"NumPy/eager string data instead. Received: {type(x).__name__}") from error
    elif backend.is_tensor(x):
        x = backend.convert_to_numpy(x)
    arr = np.asarray(x, dtype=object)
    decode = np.vectorize(lambda s: s.decode("utf-8") if isinstance(s, bytes) else str(s),
                          otypes=[object])
    return decode(arr) if arr.size else arr


def _host_text(value) -> str:
    """A callable's result for one string -> ``str``: callables may be plain Python or written
    with ``tf.strings`` (which return scalar string tensors holding bytes)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _host_sequence(value) -> list:
    """A split callable's tokens for one string (a list, a NumPy array or a tensor)."""
    if hasattr(value, "to_list"):  # a ragged tensor
        value = value.to_list()
    elif hasattr(value, "numpy"):
        value = value.numpy()
    return list(np.ravel(np.asarray(value, dtype=object)))


def _sorted_by_frequency(counter):
    """Tokens by decreasing count; ties broken by decreasing token (as Keras does)."""
    return [t for t, _ in sorted(counter.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)]


def _idf(doc_counts, num_docs):
    return np.log(1.0 + num_docs / (1.0 + np.asarray(doc_counts, "float64")))


class _IndexLookup(Layer):
    """Maps tokens to indices: ``[mask?] [oov x num_oov_indices] vocabulary...``."""

    _token_kind = "string"
    # Strings are looked up host-side: in a TensorFlow graph (tf.data) see tf_data_bridge.
    _host_side_preprocessing = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, **kwargs):
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("oov_method", None)
        kwargs.pop("salt", None)
        kwargs.pop("encoding", None)
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(**kwargs)
        cls = type(self).__name__
        if output_mode == "binary":  # Keras's old name for multi_hot, still accepted
            output_mode = "multi_hot"
        if max_tokens is not None:
            max_tokens = arg_utils.positive_int(cls, "max_tokens", max_tokens)
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, int) \
                or num_oov_indices < 0:
            raise arg_utils.invalid(cls, "num_oov_indices", "a non-negative int",
                                    num_oov_indices)
        if output_mode not in OUTPUT_MODES:
            raise arg_utils.invalid(cls, "output_mode", " or ".join(map(repr, OUTPUT_MODES)),
                                    output_mode)
        if invert and output_mode != "int":
            raise arg_utils.invalid(cls, "output_mode", "'int' when invert=True", output_mode)
        if sparse:
            raise arg_utils.invalid(cls, "sparse", "False (dense output only)", sparse)
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._vocab = []
        self.idf_weights = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{cls}: `idf_weights` needs a `vocabulary`. Received: "
                             "vocabulary=None")

    # -- vocabulary -------------------------------------------------------------------------
    def _reserved(self):
        return (1 if self.mask_token is not None else 0) + self.num_oov_indices

    def _canonical(self, token):
        if self._token_kind == "string":
            return token.decode("utf-8") if isinstance(token, bytes) else str(token)
        return int(token)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (tokens without mask/OOV entries) and, for tf_idf, idf weights."""
        cls = type(self).__name__
        if isinstance(vocabulary, str):
            raise arg_utils.invalid(cls, "vocabulary", "a list of tokens (not a file path)",
                                    vocabulary)
        tokens = [self._canonical(t) for t in np.asarray(vocabulary, dtype=object).ravel()]
        special = {self.mask_token, self.oov_token}
        # Tolerate a vocabulary that starts with the reserved entries (get_vocabulary()'s form).
        while tokens and tokens[0] in special:
            tokens = tokens[1:]
        if len(set(tokens)) != len(tokens):
            dupes = sorted({t for t in tokens if tokens.count(t) > 1}, key=str)
            raise ValueError(f"{cls}: the vocabulary has repeated tokens. Received: {dupes}")
        if any(t in special for t in tokens):
            raise ValueError(f"{cls}: the vocabulary must not contain the mask or OOV token "
                             f"except at the start. Received: vocabulary={vocabulary!r}")
        if self.max_tokens is not None and len(tokens) + self._reserved() > self.max_tokens:
            raise ValueError(
                f"{cls}: the vocabulary plus {self._reserved()} reserved indices exceeds "
                f"max_tokens={self.max_tokens}. Received: {len(tokens)} tokens.")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{cls}: output_mode='tf_idf' needs `idf_weights` with the "
                                 "vocabulary. Received: idf_weights=None")
            idf = np.asarray(idf_weights, "float64").ravel()
            if idf.size == len(tokens) + self._reserved():
                idf = idf[self._reserved():]
            if idf.size != len(tokens):
                raise ValueError(f"{cls}: `idf_weights` needs one entry per token. Received: "
                                 f"{idf.size} weights for {len(tokens)} tokens.")
            self.idf_weights = [float(v) for v in idf]
        self._vocab = tokens
        self._index = {t: i + self._reserved() for i, t in enumerate(tokens)}

    def get_vocabulary(self, include_special_tokens=True):
        if not include_special_tokens:
            return list(self._vocab)
        head = [] if self.mask_token is None else [self.mask_token]
        return head + [self.oov_token] * self.num_oov_indices + list(self._vocab)

    def vocabulary_size(self):
        return len(self._vocab) + self._reserved()

    def _depth(self):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        return self.vocabulary_size()

    def _full_idf(self):
        vocab_idf = np.asarray(self.idf_weights or [], "float64")
        oov = vocab_idf.mean() if vocab_idf.size else 0.0
        head = ([0.0] if self.mask_token is not None else []) + [oov] * self.num_oov_indices
        idf = np.concatenate([np.asarray(head, "float64"), vocab_idf])
        return np.pad(idf, (0, self._depth() - idf.size)).astype("float32")

    def _adapt_tokens(self, rows):
        """Builds the vocabulary from an iterable of token rows (each a list of tokens)."""
        counts, doc_counts, num_docs = collections.Counter(), collections.Counter(), 0
        for row in rows:
            row = [t for t in row if t != self.mask_token]
            counts.update(row)
            doc_counts.update(set(row))
            num_docs += 1
        tokens = [t for t in _sorted_by_frequency(counts) if t != self.oov_token]
        if self.max_tokens is not None:
            tokens = tokens[:max(0, self.max_tokens - self._reserved())]
        idf = _idf([doc_counts[t] for t in tokens], num_docs).tolist() \
            if self.output_mode == "tf_idf" else None
        self.set_vocabulary(tokens, idf)

    # -- lookup ------------------------------------------------------------------------------
    def _host_indices(self, tokens):
        """Object array of tokens -> int32 NumPy indices."""
        mask_offset = 1 if self.mask_token is not None else 0
        index = getattr(self, "_index", {})
        num_oov = self.num_oov_indices

        def one(t):
            if self.mask_token is not None and t == self.mask_token:
                return 0
            i = index.get(t)
            if i is not None:
                return i
            if num_oov == 0:
                raise ValueError(f"Layer '{self.name}' has num_oov_indices=0 and received the "
                                 f"out-of-vocabulary token {t!r}.")
            if num_oov == 1:
                return mask_offset
            # Keras's OOV buckets: integers modulo, strings by FarmHash fingerprint.
            key = t if isinstance(t, int) else fingerprint64(str(t).encode("utf-8"))
            return mask_offset + key % num_oov

        if tokens.size == 0:
            return np.zeros(tokens.shape, "int32")
        return np.vectorize(one, otypes=["int32"])(tokens)

    def _host_invert(self, indices):
        vocab = np.asarray(self.get_vocabulary(), dtype=object)
        idx = np.asarray(indices).astype("int64")
        out = vocab[np.clip(idx, 0, len(vocab) - 1)]
        bad = (idx < 0) | (idx >= len(vocab))
        out[bad] = self.oov_token
        return out

    def _encode(self, indices):
        """Int indices (a backend tensor) -> the output mode's encoding."""
        if self.output_mode == "int":
            return indices
        # A scalar is one row of one token; a rank-1 input is one row (Keras: [2, 3] ->
        # one multi_hot vector), so only a scalar gains an axis (one_hot of it: (1, depth)).
        if len(indices.shape) == 0:
            indices = ops.expand_dims(indices, -1)
        if self.output_mode == "one_hot" and len(indices.shape) > 1 and indices.shape[-1] == 1:
            indices = ops.squeeze(indices, -1)
        idf = self._full_idf() if self.output_mode == "tf_idf" else None
        return encode_categorical(indices, self._depth(), self.output_mode,
                                  self.compute_dtype, idf)

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple, str, bytes)):
            arr = np.asarray(inputs, dtype=object)
            if arr.size and isinstance(arr.ravel()[0], (str, bytes)):
                return _to_host_strings(arr)
            inputs = np.asarray(inputs)
        if _is_string_array(inputs):
            return _to_host_strings(inputs)
        if _is_string_tensor(inputs):
            return _to_host_strings(inputs)
        return super()._convert_inputs(inputs)

    def adapt(self, data, steps=None):
        """Builds the vocabulary from ``data`` (an array or an iterable of batches), most
        frequent tokens first; each row of the data counts as one document for tf_idf."""
        def rows():
            batches = [data] if isinstance(data, (np.ndarray, list, tuple)) or \
                backend.is_tensor(data) or _is_string_tensor(data) else data
            for batch in batches:
                if isinstance(batch, tuple) and not isinstance(data, tuple):
                    batch = batch[0]
                arr = self._host_tokens(batch)
                arr = arr.reshape(arr.shape[0], -1) if arr.ndim > 1 else arr.reshape(-1, 1)
                for row in arr:
                    yield list(row)

        self._adapt_tokens(rows())

    def _host_tokens(self, batch):
        if self._token_kind == "string":
            return _to_host_strings(batch)
        if backend.is_tensor(batch):
            batch = backend.convert_to_numpy(batch)
        arr = np.asarray(batch)
        return np.vectorize(int, otypes=[object])(arr) if arr.size else arr.astype(object)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if self.output_mode == "one_hot":
            shape = shape or (1,)
            if len(shape) > 1 and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (self._depth(),)
        return shape[:-1] + (self._depth(),)  # the last axis (a row of tokens) is reduced

    def compute_output_spec(self, inputs, *args, **kwargs):
        # Without evaluating call: strings have no abstract value to trace.
        if self.output_mode != "int":
            dtype = self.compute_dtype
        elif self.invert:
            dtype = "string" if self._token_kind == "string" else "int32"
        else:
            dtype = "int32"
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype)

    def get_config(self):
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary": list(self._vocab) if self._vocab else None,
                "idf_weights": self.idf_weights}


class StringLookup(_IndexLookup):
    """Maps strings to integer indices (or, with ``invert=True``, indices back to strings).

    Index 0 is the OOV token (``"[UNK]"``) unless a ``mask_token`` is set, which then takes 0.
    Runs host-side on NumPy/Python strings.

    Example::

        lookup = keraslite.layers.StringLookup(vocabulary=["a", "b"])
        lookup(np.array([["a", "z", "b"]]))    # [[1, 0, 2]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        # Strings are Python str here (no byte encoding step); OOV salting is not implemented.
        require_default("StringLookup", "encoding", encoding, "utf-8")
        require_default("StringLookup", "salt", salt)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, name=name,
                         **kwargs)

    def call(self, inputs):
        if self.invert:
            return self._host_invert(backend.convert_to_numpy(inputs)
                                     if backend.is_tensor(inputs) else inputs)
        if not isinstance(inputs, np.ndarray):
            raise TypeError(f"Layer '{self.name}' looks strings up host-side and cannot run "
                            "inside a compiled graph. Apply it to NumPy string data (e.g. in "
                            "the data pipeline). Received: a traced tensor.")
        return self._encode(ops.convert_to_tensor(self._host_indices(inputs)))


class IntegerLookup(_IndexLookup):
    """Maps integer tokens to contiguous indices (``oov_token=-1`` by default).

    On integer tensors it runs with ops (inside compiled models too); out-of-vocabulary values
    with ``num_oov_indices > 1`` go to OOV bucket ``value mod num_oov_indices``.

    Example::

        keraslite.layers.IntegerLookup(vocabulary=[12, 36])(np.array([12, 7, 36]))   # [1, 0, 2]
    """

    _token_kind = "int"
    # Integer tokens are looked up with ops, so the layer runs in TensorFlow graphs natively.
    _host_side_preprocessing = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        # Keras's hashing of OOV values (oov_method, salt) is not implemented.
        require_default("IntegerLookup", "oov_method", oov_method, "floormod")
        require_default("IntegerLookup", "salt", salt)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, name=name,
                         **kwargs)
        self.vocabulary_dtype = vocabulary_dtype

    def call(self, inputs):
        if isinstance(inputs, np.ndarray):
            inputs = ops.convert_to_tensor(inputs.astype("int32"))
        x = ops.cast(inputs, "int32")
        vocab = self.get_vocabulary()
        if self.invert:
            table = ops.convert_to_tensor(np.asarray(vocab, "int32"))
            inside = ops.logical_and(x >= 0, x < len(vocab))
            values = ops.take(table, ops.clip(x, 0, max(len(vocab) - 1, 0)))
            return ops.where(inside, values, ops.full_like(values, int(self.oov_token)))
        mask_offset = 1 if self.mask_token is not None else 0
        if self._vocab:
            tokens = ops.convert_to_tensor(np.asarray(self._vocab, "int32"))
            match = ops.equal(ops.expand_dims(x, -1), tokens)
            found = ops.any(match, axis=-1)
            position = ops.cast(ops.argmax(ops.cast(match, "int32"), axis=-1), "int32")
            index = position + self._reserved()
        else:
            found = ops.zeros_like(x) > 0
            index = ops.zeros_like(x)
        if self.num_oov_indices > 1:
            oov = ops.mod(x, self.num_oov_indices) + mask_offset
        else:
            oov = ops.full_like(x, mask_offset)
        out = ops.where(found, index, oov)
        if self.mask_token is not None:
            out = ops.where(ops.equal(x, int(self.mask_token)), ops.zeros_like(out), out)
        return self._encode(out)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}


_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLITS = ("whitespace", "character")


class TextVectorization(_IndexLookup):
    """Turns raw strings into token indices or bag-of-words vectors (host-side).

    Standardizes (default: lowercase and strip punctuation), splits on whitespace, optionally
    forms n-grams, then looks tokens up in a vocabulary built by ``adapt`` or given as a list.
    ``output_mode="int"`` gives padded index sequences (0 is padding, 1 is OOV);
    ``"multi_hot"``, ``"count"`` and ``"tf_idf"`` give one vector per string.

    Example::

        vec = keraslite.layers.TextVectorization(output_sequence_length=4)
        vec.adapt(["the cat sat", "the dog"])
        vec(["The cat!"])    # [[2, 3, 0, 0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        if not (standardize is None or callable(standardize) or standardize in STANDARDIZE):
            raise arg_utils.invalid("TextVectorization", "standardize",
                                    f"None, a callable or one of {STANDARDIZE}", standardize)
        if not (split is None or callable(split) or split in SPLITS):
            raise arg_utils.invalid("TextVectorization", "split",
                                    f"None, a callable or one of {SPLITS}", split)
        if output_mode == "binary":  # Keras's old name for multi_hot
            output_mode = "multi_hot"
        if output_mode not in ("int", "multi_hot", "count", "tf_idf"):
            raise arg_utils.invalid("TextVectorization", "output_mode",
                                    "'int', 'multi_hot', 'count' or 'tf_idf'", output_mode)
        if ngrams is not None:
            if isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams > 0:
                ngrams = ngrams
            elif isinstance(ngrams, (list, tuple)) and all(
                    isinstance(n, int) and n > 0 for n in ngrams):
                ngrams = tuple(ngrams)
            else:
                raise arg_utils.invalid("TextVectorization", "ngrams",
                                        "None, a positive int or a tuple of them", ngrams)
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(
                    "TextVectorization: `output_sequence_length` only applies to "
                    f"output_mode='int'. Received: output_mode={output_mode!r}, "
                    f"output_sequence_length={output_sequence_length!r}")
            output_sequence_length = arg_utils.positive_int(
                "TextVectorization", "output_sequence_length", output_sequence_length)
        if ragged:
            raise arg_utils.invalid("TextVectorization", "ragged", "False", ragged)
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self.output_sequence_length = output_sequence_length
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=1,
                         mask_token="" if output_mode == "int" else None, oov_token="[UNK]",
                         vocabulary=vocabulary, idf_weights=idf_weights,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)
        self.ragged = False

    def _tokens(self, text):
        if self.standardize == "lower_and_strip_punctuation":
            text = _PUNCTUATION.sub("", text.lower())
        elif self.standardize == "lower":
            text = text.lower()
        elif self.standardize == "strip_punctuation":
            text = _PUNCTUATION.sub("", text)
        elif callable(self.standardize):
            text = _host_text(self.standardize(text))
        if self.split == "whitespace":
            tokens = text.split()
        elif self.split == "character":
            tokens = list(text)
        elif callable(self.split):
            tokens = [_host_text(t) for t in _host_sequence(self.split(text))]
        else:
            tokens = [text]
        if self.ngrams is None:
            return tokens
        sizes = range(1, self.ngrams + 1) if isinstance(self.ngrams, int) else self.ngrams
        out = []
        for n in sizes:
            out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _rows(self, inputs):
        arr = _to_host_strings(inputs)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.ndim != 1:
            raise ValueError(f"Layer '{self.name}' expects a batch of strings of shape (batch,) "
                             f"or (batch, 1). Received: shape={arr.shape}")
        return [self._tokens(s) for s in arr]

    def adapt(self, data, batch_size=None, steps=None):
        """Builds the vocabulary (and idf weights for tf_idf) from strings or string batches."""
        batches = [data] if isinstance(data, (np.ndarray, list, tuple, str)) or \
            backend.is_tensor(data) or _is_string_tensor(data) else data

        def rows():
            for batch in batches:
                if isinstance(batch, tuple) and not isinstance(data, tuple):
                    batch = batch[0]
                yield from self._rows(batch)

        self._adapt_tokens(rows())

    def call(self, inputs):
        if not isinstance(inputs, np.ndarray):
            raise TypeError(f"Layer '{self.name}' processes strings host-side and cannot run "
                            "inside a compiled graph. Apply it to NumPy string data (e.g. in "
                            "the data pipeline). Received: a traced tensor.")
        rows = self._rows(inputs)
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max([len(r) for r in rows] + [0])
            out = np.zeros((len(rows), length), "int32")
            for i, row in enumerate(rows):
                idx = self._host_indices(np.asarray(row[:length], dtype=object))
                out[i, :len(idx)] = idx
            return ops.convert_to_tensor(out)
        depth = self._depth()
        counts = np.zeros((len(rows), depth), "float32")
        for i, row in enumerate(rows):
            if row:
                np.add.at(counts[i], self._host_indices(np.asarray(row, dtype=object)), 1.0)
        if self.output_mode == "multi_hot":
            counts = np.minimum(counts, 1.0)
        elif self.output_mode == "tf_idf":
            counts = counts * self._full_idf()
        return ops.cast(ops.convert_to_tensor(counts), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[0] if len(input_shape) else None
        if self.output_mode == "int":
            return (batch, self.output_sequence_length)
        return (batch, self._depth())

    def get_config(self):
        config_ = super().get_config()
        for key in ("invert", "num_oov_indices", "oov_token", "mask_token"):
            config_.pop(key)
        standardize = self.standardize if not callable(self.standardize) else None
        split = self.split if not callable(self.split) else None
        config_.update({"standardize": standardize, "split": split,
                        "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple)
                        else self.ngrams,
                        "output_sequence_length": self.output_sequence_length,
                        "ragged": self.ragged, "encoding": self.encoding})
        return config_
