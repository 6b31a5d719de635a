"""Hashing and HashedCrossing: the hash functions against TensorFlow's string hashing ops, and
the layers bucket for bucket against Keras 3 (oracles; skipped where they are not installed)."""
import os
import random

import numpy as np
import pytest

from keraslite import backend, layers
from keraslite.layers.preprocessing import string_hash
from oracle_guard import oracle


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _random_bytes(seed, count=300):
    rng = random.Random(seed)
    # Every length up to 140 crosses each FarmHash branch (0-16, 17-32, 33-64, >64 with tails).
    lengths = list(range(141)) + [rng.randrange(1000) for _ in range(count - 141)]
    return [bytes(rng.randrange(256) for _ in range(n)) for n in lengths]


def test_fingerprint_matches_tf_hash_bucket_fast(tf):
    data = _random_bytes(1)
    buckets = 2 ** 62  # large, so nearly the whole 64-bit fingerprint is compared
    want = oracle(lambda: tf.strings.to_hash_bucket_fast(data, buckets).numpy())
    got = string_hash.hash_bucket_fast(np.asarray(data, dtype=object), buckets)
    np.testing.assert_array_equal(got, want)


def test_siphash_matches_tf_hash_bucket_strong(tf):
    data = _random_bytes(2)
    for key in ([0, 0], [133, 137], [2 ** 62 + 7, 12345]):
        want = oracle(lambda: tf.strings.to_hash_bucket_strong(data, 2 ** 62, key).numpy())
        got = string_hash.hash_bucket_strong(np.asarray(data, dtype=object), 2 ** 62, key)
        np.testing.assert_array_equal(got, want)


def test_cross_hash_matches_tf_cross_hashed(tf):
    rng = np.random.default_rng(3)
    ints = rng.integers(-2 ** 40, 2 ** 40, size=(64, 1))
    strs = np.asarray(["".join(rng.choice(list("abcxyz"), rng.integers(0, 40)))
                       for _ in range(64)], dtype=object).reshape(64, 1)
    want = oracle(lambda: tf.sparse.to_dense(tf.sparse.cross_hashed(
        [tf.constant(ints), tf.constant(strs.astype(str))], 10 ** 12)).numpy())
    got = [string_hash.cross_hash([int(i), s], 10 ** 12) for i, s in zip(ints[:, 0], strs[:, 0])]
    np.testing.assert_array_equal(np.ravel(want), got)


def _words(seed, n=40):
    rng = np.random.default_rng(seed)
    return np.asarray(["".join(rng.choice(list("abcdefgh"), rng.integers(0, 12)))
                       for _ in range(n)], dtype=object)


HASHING_CASES = [
    ({"num_bins": 7}, "str"),
    ({"num_bins": 7, "mask_value": ""}, "str"),
    ({"num_bins": 9, "salt": 133}, "str"),
    ({"num_bins": 9, "salt": [3, 2 ** 40]}, "int"),
    ({"num_bins": 5, "mask_value": 0}, "int"),
    ({"num_bins": 6}, "float"),
    ({"num_bins": 6, "output_mode": "one_hot"}, "str"),
    ({"num_bins": 6, "output_mode": "multi_hot"}, "str"),
    ({"num_bins": 6, "output_mode": "count", "salt": 1}, "int"),
]


def _hash_input(kind, seed):
    words = _words(seed).reshape(8, 5)
    if kind == "str":
        words[0, 0] = ""
        return words
    rng = np.random.default_rng(seed)
    if kind == "int":
        out = rng.integers(-1000, 1000, size=(8, 5))
        out[0, 0] = 0
        return out
    return rng.uniform(-50, 50, size=(8, 5)).astype("float32")


@pytest.mark.parametrize("kwargs,kind", HASHING_CASES, ids=[str(i) for i in range(9)])
def test_hashing_matches_keras(keras, kwargs, kind):
    x = _hash_input(kind, len(str(kwargs)))
    ours = layers.Hashing(**kwargs)
    got = backend.convert_to_numpy(ours(x))
    theirs = keras.layers.Hashing(**kwargs)
    want = np.asarray(oracle(theirs, x.astype(str) if kind == "str" else x))
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    config = ours.get_config()
    for key in ("num_bins", "salt", "mask_value", "output_mode", "sparse"):
        assert config[key] == theirs.get_config()[key]
    again = layers.Hashing.from_config(config)
    np.testing.assert_array_equal(backend.convert_to_numpy(again(x)), got)


@pytest.mark.parametrize("output_mode", ["int", "one_hot"])
@pytest.mark.parametrize("shape", [(12,), (12, 1)])
def test_hashed_crossing_matches_keras(keras, output_mode, shape):
    rng = np.random.default_rng(5)
    a = rng.integers(-100, 100, size=shape)
    b = _words(6, 12).reshape(shape)
    ours = layers.HashedCrossing(num_bins=11, output_mode=output_mode)
    got = backend.convert_to_numpy(ours((a, b)))
    want = np.asarray(oracle(keras.layers.HashedCrossing(num_bins=11, output_mode=output_mode),
                             (a, b.astype(str))))
    np.testing.assert_array_equal(got, want)
    assert ours.compute_output_shape([shape, shape]) == want.shape


def test_hashing_symbolic_shapes_and_model():
    import keraslite

    inp = keraslite.Input(shape=(3,), dtype="int32")
    out = layers.Hashing(num_bins=4, output_mode="multi_hot")(inp)
    assert tuple(out.shape) == (None, 4)
    model = keraslite.Model(inp, out)
    x = np.array([[1, 2, 3], [4, 4, 4]])
    ours = layers.Hashing(num_bins=4)(x)
    want = np.zeros((2, 4), "float32")
    for i, row in enumerate(backend.convert_to_numpy(ours)):
        want[i, row] = 1.0
    np.testing.assert_array_equal(backend.convert_to_numpy(model(x)), want)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=3, salt="x")
    with pytest.raises(ValueError, match="output_mode"):
        layers.Hashing(num_bins=3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="sparse"):
        layers.HashedCrossing(num_bins=3, sparse=True)
    with pytest.raises(ValueError, match="at least two"):
        layers.HashedCrossing(num_bins=3)([np.array([1])])
    with pytest.raises(ValueError, match="equal shape"):
        layers.HashedCrossing(num_bins=3)((np.array([1, 2]), np.array([1])))
    with pytest.raises(TypeError, match="integer or string"):
        layers.HashedCrossing(num_bins=3)((np.array([1.5]), np.array([1])))


def test_string_lookup_oov_buckets_match_keras(keras):
    kwargs = {"vocabulary": ["a", "b"], "num_oov_indices": 3, "mask_token": ""}
    x = np.concatenate([_words(8, 30), ["a", "", "b"]]).reshape(3, 11)
    got = backend.convert_to_numpy(layers.StringLookup(**kwargs)(x))
    want = np.asarray(oracle(keras.layers.StringLookup(**kwargs), x.astype(str)))
    np.testing.assert_array_equal(got, want)
