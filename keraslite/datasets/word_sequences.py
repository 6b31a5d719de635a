"""What IMDB and Reuters share: shuffling, index shifting, length filtering and vocabulary
capping of word-index sequences, and reading a word index."""
from __future__ import annotations

import json

import numpy as np

from keraslite.datasets import npz_reader, sources

_MAX_INDEX_BYTES = 64 * 2**20


def check_unknown_kwargs(function: str, kwargs: dict) -> None:
    if kwargs:
        raise TypeError(f"{function}() got unexpected keyword arguments: {sorted(kwargs)}")


def shuffled(rng: np.random.RandomState, xs: np.ndarray, labels: np.ndarray):
    if len(xs) != len(labels):
        raise ValueError(f"The dataset file holds {len(xs)} sequences but {len(labels)} labels.")
    order = np.arange(len(xs))
    rng.shuffle(order)
    return xs[order], labels[order]


def shift(xs, start_char, index_from) -> list[list[int]]:
    """Adds ``index_from`` to every index and puts ``start_char`` first (when not None)."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in x] for x in xs]


def drop_long(maxlen, xs: list, labels) -> tuple[list, list]:
    """Keeps the sequences shorter than ``maxlen`` (Keras keeps ``len < maxlen``)."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def cap_vocabulary(xs: list, num_words, skip_top: int, oov_char) -> list[list[int]]:
    """Replaces (or, with ``oov_char=None``, drops) indices outside ``[skip_top, num_words)``."""
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs: list) -> np.ndarray:
    out = np.empty(len(xs), dtype=object)
    out[:] = xs
    return out


def load_word_index(name: str, path: str) -> dict[str, int]:
    local = sources.fetch(name, fname=path)
    npz_reader.check_regular_file(local, "word index", _MAX_INDEX_BYTES)
    with open(local, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict) or not all(
            isinstance(k, str) and isinstance(v, int) for k, v in index.items()):
        raise ValueError(f"{local} is not a word index (a JSON object of word -> int).")
    return index
