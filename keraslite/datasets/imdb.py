"""IMDB movie reviews: 50,000 reviews as word-index sequences, labelled by sentiment
(``keras.datasets.imdb``). The ragged sequences are read without unpickling (``npz_reader``)."""
from __future__ import annotations

import numpy as np

from keraslite.datasets import npz_reader, sources, word_sequences as ws


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs):
    """Loads IMDB with Keras's arguments and results.

    Args:
        num_words: Keep the ``num_words`` most frequent words; rarer ones become ``oov_char``.
        skip_top: Also replace the ``skip_top`` most frequent words.
        maxlen: Drop reviews of ``maxlen`` words or more.
        seed: Seed of the shuffle of each part.
        start_char: Index put at the start of every review (None: nothing).
        oov_char: Index of dropped words (None: they are removed).
        index_from: Offset added to every word index.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of ``list[int]`` and int labels.
    """
    ws.check_unknown_kwargs("imdb.load_data", kwargs)
    local = sources.fetch("imdb.npz", fname=path)
    arrays = npz_reader.load_npz(local)
    x_train, y_train, x_test, y_test = npz_reader.require(
        arrays, ["x_train", "y_train", "x_test", "y_test"], local)
    rng = np.random.RandomState(seed)
    x_train, y_train = ws.shuffled(rng, x_train, y_train)
    x_test, y_test = ws.shuffled(rng, x_test, y_test)
    x_train = ws.shift(x_train, start_char, index_from)
    x_test = ws.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = ws.drop_long(maxlen, x_train, y_train)
        x_test, y_test = ws.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"No review is shorter than maxlen={maxlen}; increase maxlen.")
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    xs = ws.cap_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    n = len(x_train)
    return ((ws.as_object_array(xs[:n]), labels[:n]),
            (ws.as_object_array(xs[n:]), labels[n:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The word -> index mapping of IMDB (indices before ``index_from`` is added)."""
    return ws.load_word_index("imdb_word_index.json", path)
