"""Lookup layers (IntegerLookup, StringLookup) and TextVectorization: vocabularies and outputs
against Keras 3 and hand-computed references, configs, and errors."""
import json
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers


@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


def _np(x):
    return backend.convert_to_numpy(x) if not isinstance(x, np.ndarray) else x


def _vocab(layer):
    return [v.decode() if isinstance(v, bytes) else (str(v) if isinstance(v, str) else int(v))
            for v in layer.get_vocabulary()]


def _round_trip(layer):
    config = json.loads(json.dumps(layer.get_config()))
    return type(layer).from_config(config)


TEXT = ["The cat sat on the mat.", "The dog ate my homework!", "a cat, a dog; A BIRD?",
        "sat sat sat", "mat"]


@pytest.mark.parametrize("kwargs", [
    {},
    {"max_tokens": 6},
    {"output_sequence_length": 4},
    {"output_mode": "multi_hot"},
    {"output_mode": "count", "max_tokens": 5},
    {"output_mode": "tf_idf"},
    {"standardize": "lower", "split": "whitespace"},
    {"standardize": None, "output_sequence_length": 7},
    {"ngrams": 2, "output_mode": "count"},
])
def test_text_vectorization_matches_keras(keras, kwargs):
    theirs = keras.layers.TextVectorization(**kwargs)
    theirs.adapt(TEXT)
    ours = layers.TextVectorization(**kwargs)
    ours.adapt(TEXT)
    assert _vocab(ours) == [str(v) for v in _vocab(theirs)]
    queries = ["the cat ate the bird", "unknown words here", "Sat, sat."]
    expected = np.asarray(theirs(queries))
    actual = _np(ours(queries))
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    clone = _round_trip(ours)
    assert clone.get_vocabulary() == ours.get_vocabulary()
    np.testing.assert_allclose(_np(clone(queries)), actual, rtol=1e-6)
    missing = set(theirs.get_config()) - set(ours.get_config()) - {"vocabulary_size"}
    assert not missing, missing


def test_text_vectorization_with_given_vocabulary_numpy():
    vec = layers.TextVectorization(vocabulary=["cat", "dog"], output_sequence_length=5)
    np.testing.assert_array_equal(_np(vec(np.array([["Dog, cat!"], ["bird cat"]]))),
                                  [[3, 2, 0, 0, 0], [1, 2, 0, 0, 0]])
    assert vec.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    assert vec.vocabulary_size() == 4
    assert vec.get_config()["vocabulary"] == ["cat", "dog"]
    counts = layers.TextVectorization(vocabulary=["cat", "dog"], output_mode="count")
    np.testing.assert_array_equal(_np(counts(["cat cat fish dog"])), [[1, 2, 1]])
    idf = layers.TextVectorization(vocabulary=["cat", "dog"], output_mode="tf_idf",
                                   idf_weights=[0.5, 2.0])
    # OOV weight is the mean of the vocabulary weights.
    np.testing.assert_allclose(_np(idf(["cat cat fish dog"])), [[1.25, 1.0, 2.0]])


def test_text_vectorization_tf_idf_weights_numpy():
    vec = layers.TextVectorization(output_mode="tf_idf")
    docs = ["a b", "a c", "a"]
    vec.adapt(docs)
    assert vec.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    np.testing.assert_allclose(vec.idf_weights,
                               np.log(1 + 3 / (1 + np.array([3.0, 1.0, 1.0]))), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {},
    {"mask_token": ""},
    {"max_tokens": 4},
    {"output_mode": "multi_hot"},
    {"output_mode": "count"},
    {"output_mode": "one_hot"},
])
def test_string_lookup_matches_keras(keras, kwargs):
    data = np.array([["b", "a", "a"], ["c", "b", "d"], ["a", "e", "b"]])
    theirs = keras.layers.StringLookup(**kwargs)
    theirs.adapt(data)
    ours = layers.StringLookup(**kwargs)
    ours.adapt(data)
    assert _vocab(ours) == [str(v) for v in _vocab(theirs)]
    query = np.array([["a", "z"], ["e", "b"]]) if kwargs.get("output_mode") != "one_hot" \
        else np.array(["a", "z", "e"])
    if "mask_token" in kwargs:
        query = np.array([["a", ""], ["zz", "b"]])
    np.testing.assert_allclose(_np(ours(query)), np.asarray(theirs(query)))
    clone = _round_trip(ours)
    np.testing.assert_allclose(_np(clone(query)), _np(ours(query)))


def test_string_lookup_vocabulary_and_invert():
    lookup = layers.StringLookup(vocabulary=["a", "b", "c"])
    np.testing.assert_array_equal(_np(lookup(["c", "x", "a"])), [3, 0, 1])
    np.testing.assert_array_equal(_np(lookup(np.array([b"b", b"q"]))), [2, 0])
    inverse = layers.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    assert inverse(np.array([[3, 0, 1]])).tolist() == [["c", "[UNK]", "a"]]
    two_oov = layers.StringLookup(vocabulary=["a"], num_oov_indices=2)
    out = _np(two_oov(["a", "x", "y", "x"]))
    assert out[0] == 2 and set(out[1:]) <= {0, 1} and out[1] == out[3]
    strict = layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    with pytest.raises(ValueError, match="out-of-vocabulary"):
        strict(["b"])


@pytest.mark.parametrize("kwargs", [
    {},
    {"mask_token": 0},
    {"num_oov_indices": 2},
    {"output_mode": "multi_hot"},
    {"output_mode": "count", "max_tokens": 4},
])
def test_integer_lookup_matches_keras(keras, kwargs):
    data = np.array([[5, 5, 7], [9, 9, 9], [3, 7, 12]])
    theirs = keras.layers.IntegerLookup(**kwargs)
    theirs.adapt(data)
    ours = layers.IntegerLookup(**kwargs)
    ours.adapt(data)
    assert _vocab(ours) == _vocab(theirs)
    query = np.array([[5, 100, 9], [0, 12, 101]])
    np.testing.assert_allclose(_np(ours(query)), np.asarray(theirs(query)))


def test_integer_lookup_inside_a_compiled_model_and_invert():
    lookup = layers.IntegerLookup(vocabulary=[12, 36, 7])
    ids = keraslite.Input((3,), dtype="int32")
    model = keraslite.Model(ids, lookup(ids))
    np.testing.assert_array_equal(model.predict(np.array([[12, 7, 8]], "int32"), verbose=0),
                                  [[1, 3, 0]])
    inverse = layers.IntegerLookup(vocabulary=[12, 36, 7], invert=True)
    np.testing.assert_array_equal(_np(inverse(np.array([1, 3, 0, 9]))), [12, 7, -1, -1])
    clone = _round_trip(lookup)
    assert clone.get_vocabulary() == [-1, 12, 36, 7]


@pytest.mark.parametrize("cls,kwargs,arg", [
    (layers.StringLookup, {"output_mode": "embedding"}, "output_mode"),
    (layers.StringLookup, {"num_oov_indices": -1}, "num_oov_indices"),
    (layers.StringLookup, {"vocabulary": "vocab.txt"}, "vocabulary"),
    (layers.StringLookup, {"invert": True, "output_mode": "count"}, "output_mode"),
    (layers.IntegerLookup, {"max_tokens": 0}, "max_tokens"),
    (layers.TextVectorization, {"standardize": "upper"}, "standardize"),
    (layers.TextVectorization, {"split": "comma"}, "split"),
    (layers.TextVectorization, {"output_mode": "one_hot"}, "output_mode"),
    (layers.TextVectorization, {"output_sequence_length": -2}, "output_sequence_length"),
])
def test_invalid_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=cls.__name__) as info:
        cls(**kwargs)
    assert arg in str(info.value)


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="idf_weights"):
        layers.StringLookup(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(ValueError, match="max_tokens"):
        layers.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)


def test_adapt_and_call_on_tf_data_batches():
    tf = pytest.importorskip("tensorflow")
    texts = ["the cat", "a dog sat", "the dog"]
    ds = tf.data.Dataset.from_tensor_slices((texts, [0, 1, 0])).batch(2)
    vec = layers.TextVectorization(output_sequence_length=3)
    vec.adapt(ds.map(lambda x, y: x))
    reference = layers.TextVectorization(output_sequence_length=3)
    reference.adapt(np.array(texts))
    assert vec.get_vocabulary() == reference.get_vocabulary() == \
        ["", "[UNK]", "the", "dog", "sat", "cat", "a"]
    outs = [_np(vec(x)) for x, _ in ds]
    np.testing.assert_array_equal(np.concatenate(outs), [[2, 5, 0], [6, 3, 4], [2, 3, 0]])
    lookup = layers.StringLookup()
    lookup.adapt(tf.constant(["x", "y", "y"]))
    assert lookup.get_vocabulary() == ["[UNK]", "y", "x"]
    np.testing.assert_array_equal(_np(lookup(tf.constant(["y", "q"]))), [1, 0])
