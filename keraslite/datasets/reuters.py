"""Reuters newswires: 11,228 newswires as word-index sequences in 46 topics
(``keras.datasets.reuters``). Read without unpickling (``npz_reader``)."""
from __future__ import annotations

import numpy as np

from keraslite.datasets import npz_reader, sources, word_sequences as ws

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs):
    """Loads Reuters with Keras's arguments (see ``imdb.load_data``); ``test_split`` is the
    share of newswires held out. Returns object arrays of ``list[int]`` and int labels."""
    ws.check_unknown_kwargs("reuters.load_data", kwargs)
    test_split = sources.check_split(test_split)
    local = sources.fetch("reuters.npz", fname=path)
    arrays = npz_reader.load_npz(local)
    xs, labels = npz_reader.require(arrays, ["x", "y"], local)
    xs, labels = ws.shuffled(np.random.RandomState(seed), xs, labels)
    xs = ws.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = ws.drop_long(maxlen, xs, labels)
    xs = ws.cap_vocabulary(xs, num_words, skip_top, oov_char)
    labels = np.asarray(labels)
    n = int(len(xs) * (1 - test_split))
    return ((ws.as_object_array(xs[:n]), labels[:n]),
            (ws.as_object_array(xs[n:]), labels[n:]))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The word -> index mapping of Reuters (indices before ``index_from`` is added)."""
    return ws.load_word_index("reuters_word_index.json", path)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, in label order."""
    return _LABEL_NAMES
