"""Text in keraslite.automl: TextInput, TextBlock/Embedding, TextClassifier/TextRegressor.

The data are short sentences from a fixed vocabulary whose label is set by one keyword, so a
bag of words or an embedding learns them in a couple of epochs.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import automl as ak
from keraslite.tuner import HyperParameters

FILLER = ["the", "a", "film", "movie", "plot", "actor", "was", "really", "very", "story"]


def sentences(count, seed=0):
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(count):
        words = list(rng.choice(FILLER, 4))
        words.insert(int(rng.integers(0, 5)), ["awful", "great"][i % 2])
        texts.append(" ".join(words))
        labels.append(["neg", "pos"][i % 2])
    return np.array(texts), np.array(labels)


def vocabulary_size(texts):
    """NumPy's count of distinct lower-cased words, plus padding and out-of-vocabulary."""
    return len(np.unique(" ".join(texts).lower().split())) + 2


def test_text_classifier_learns_the_keyword_and_exports_a_raw_string_model(tmp_path):
    # Sizes divide the batch sizes (64 train, 16 validation, 80 refit by 8; 32 predicted):
    # every step compiles once, with no remainder batch to compile again.
    texts, labels = sentences(112)
    model = ak.TextClassifier(max_trials=1, directory=str(tmp_path), seed=0, verbose=0)
    model.fit(texts[:80], labels[:80], epochs=2, batch_size=8)
    predicted = model.predict(texts[80:])[:, 0]
    assert np.mean(predicted == labels[80:]) >= 0.8  # chance is 0.5
    exported = model.export_model()
    assert isinstance(exported, ak.HostPreprocessedModel)
    (vectorizer,) = exported.preprocessors.values()
    assert vectorizer.vocabulary_size() == vocabulary_size(texts[:80])
    probabilities = exported.predict(texts[80:], verbose=0)  # raw strings in
    np.testing.assert_array_equal(np.where(probabilities[:, 0] > 0.5, "pos", "neg"), predicted)
    for name in ("text.keraslite", "text.keras"):
        exported.save(str(tmp_path / name))
        loaded = keraslite.models.load_model(str(tmp_path / name))
        np.testing.assert_array_equal(loaded.predict(texts[80:], verbose=0), probabilities)
    # A fresh process that never imports keraslite.automl loads it too.
    np.save(tmp_path / "texts.npy", texts[80:])
    script = ("import sys, numpy as np, keraslite; m = keraslite.models.load_model(sys.argv[1]); "
              "np.save(sys.argv[3], m.predict(np.load(sys.argv[2]), verbose=0))")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "text.keraslite"),
                    str(tmp_path / "texts.npy"), str(tmp_path / "fresh.npy")], check=True,
                   cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    np.testing.assert_array_equal(np.load(tmp_path / "fresh.npy"), probabilities)


def test_text_regressor_takes_a_list_of_strings_and_builds_a_linear_head(tmp_path):
    texts, labels = sentences(20, seed=1)
    y = (labels == "pos").astype("float32") * 3.0 + 1.0
    model = ak.TextRegressor(max_trials=1, directory=str(tmp_path), verbose=0)
    strings = model._input.prepare(list(texts[:, None]))  # (n, 1) lists are accepted too
    np.testing.assert_array_equal(strings, texts)
    model._head.adapt(y)
    model._input.adapt(strings)
    network = model.graph.build(HyperParameters()).network
    assert network.loss == "mean_squared_error"
    assert network.layers[-1].get_config()["activation"] == "linear"
    assert network.output.shape[1:] == (1,)


def test_text_block_builds_each_branch_of_its_search_space():
    texts, _ = sentences(30)
    size = vocabulary_size(texts)
    for arguments, layer_name in [({}, "conv1d"), ({"vectorizer": "ngram"}, "category_encoding"),
                                  ({"block_type": "rnn"}, "bidirectional"),
                                  ({"block_type": "pooling"}, "global_average_pooling1d")]:
        text = ak.TextInput(max_tokens=100)
        graph = ak.AutoModel(text, ak.RegressionHead()(ak.TextBlock(**arguments)(text)),
                             verbose=0).graph
        graph.head.adapt(np.zeros(30))
        text.adapt(text.prepare(texts))
        assert text.shape == (5,)  # the longest sentence has five words
        network = graph.build(HyperParameters()).network
        names = [layer.name for layer in network.layers]
        assert any(name.startswith(layer_name) for name in names), (arguments, names)
        tables = [w for layer in network.layers if type(layer).__name__ == "Embedding"
                  for w in layer.get_weights()]
        if arguments.get("vectorizer") == "ngram":
            assert not tables
        else:
            assert tables[0].shape == (size, 64)  # one row per token id, default width


def test_embedding_block_and_max_features():
    texts, _ = sentences(20)
    text = ak.TextInput()
    embedded = ak.Embedding(embedding_dim=8, dropout=0.0)(text)
    graph = ak.AutoModel(text, ak.RegressionHead()(ak.TemporalReduction()(embedded)),
                         verbose=0).graph
    graph.head.adapt(np.zeros(20))
    text.adapt(text.prepare(texts))
    network = graph.build(HyperParameters()).network
    (table,) = [layer for layer in network.layers if type(layer).__name__ == "Embedding"]
    assert table.get_weights()[0].shape == (vocabulary_size(texts), 8)
    too_small = ak.Embedding(max_features=3)(text)
    graph = ak.AutoModel(text, ak.RegressionHead()(too_small), verbose=0).graph
    graph.head.adapt(np.zeros(20))
    with pytest.raises(ValueError, match="max_features=3 is smaller than the vocabulary"):
        graph.build(HyperParameters())


@pytest.mark.parametrize("x, message", [
    (np.array([1.0, 2.0, 3.0]), "expected strings, received float"),
    (["fine", 3, "text"], "received int 3 at index 1"),
    (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), r"shape \(samples,\).*\(3, 2\)"),
    ("just one string", "expected an array or list of strings"),
])
def test_bad_text_raises_before_any_trial(tmp_path, x, message):
    model = ak.TextClassifier(max_trials=1, directory=str(tmp_path), verbose=0)
    with pytest.raises(ValueError, match=message):
        model.fit(x, np.array([0, 1, 0]))
    assert not any(tmp_path.iterdir())  # no search was started


def test_text_length_mismatch_raises_before_any_trial(tmp_path):
    texts, labels = sentences(10)
    model = ak.TextClassifier(max_trials=1, directory=str(tmp_path), verbose=0)
    with pytest.raises(ValueError, match="10 samples in x and 9 in y"):
        model.fit(texts, labels[:9])
    assert not any(tmp_path.iterdir())


def test_tf_idf_bag_weighs_counts_by_inverse_document_frequency():
    texts, _ = sentences(30)
    text = ak.TextInput()
    block = ak.TextBlock(vectorizer="ngram")
    graph = ak.AutoModel(text, ak.RegressionHead()(block(text)), verbose=0).graph
    graph.head.adapt(np.zeros(30))
    text.adapt(text.prepare(texts))
    hp = HyperParameters.from_values({f"{block.name}/bag": "tf_idf"})
    network = graph.build(hp).network
    (weighting,) = [layer for layer in network.layers
                    if type(layer).__name__ == "Normalization"]
    ids = np.asarray(text.vectorizer(texts))
    size = text.vocabulary_size
    counts = np.zeros((len(ids), size), dtype="float32")
    for row, sequence in enumerate(ids):
        for token in sequence:
            counts[row, token] += 1
    documents = np.array([sum(token in set(seq) for seq in ids) for token in range(size)])
    expected = counts * np.log(1 + len(ids) / (1 + documents))
    np.testing.assert_allclose(np.asarray(weighting(counts)), expected, rtol=1e-5, atol=1e-6)
