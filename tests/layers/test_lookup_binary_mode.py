"""IntegerLookup/StringLookup/TextVectorization: output_mode="binary" is Keras's old name for
"multi_hot", and multi_hot/count of a rank-1 input is one row, as in Keras 3 (the oracle)."""
from __future__ import annotations

import numpy as np
import pytest

import keraslite

CASES = [
    ("IntegerLookup", [1, 2, 3], np.array([2, 3])),
    ("IntegerLookup", [1, 2, 3], np.array([[2, 3], [1, 1]])),
    ("IntegerLookup", [1, 2, 3], np.array(2)),
    ("StringLookup", ["a", "b", "c"], np.array(["b", "c", "z"])),
    ("StringLookup", ["a", "b", "c"], np.array([["b", "b"], ["a", "z"]])),
    ("StringLookup", ["a", "b", "c"], np.array("b")),
]


@pytest.mark.parametrize("mode", ["binary", "multi_hot", "count", "one_hot"])
@pytest.mark.parametrize("cls,vocabulary,x", CASES)
def test_matches_keras(cls, vocabulary, x, mode):
    keras = pytest.importorskip("keras")
    ours_layer = getattr(keraslite.layers, cls)(vocabulary=vocabulary, output_mode=mode)
    ours = keraslite.ops.convert_to_numpy(ours_layer(x))
    theirs = np.asarray(getattr(keras.layers, cls)(vocabulary=vocabulary, output_mode=mode)(x))
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    if mode in ("binary", "multi_hot"):
        assert ours_layer.get_config()["output_mode"] == "multi_hot"


def test_rank1_multi_hot_is_one_row_against_numpy():
    layer = keraslite.layers.IntegerLookup(vocabulary=[1, 2, 3], output_mode="binary")
    out = keraslite.ops.convert_to_numpy(layer(np.array([2, 3])))
    expected = np.zeros(4)
    expected[[2, 3]] = 1  # index 0 is the OOV bucket, vocabulary starts at 1
    np.testing.assert_array_equal(out, expected)
    assert layer.compute_output_shape((5,)) == (4,)
    assert layer.compute_output_shape((None, 5)) == (None, 4)


def test_text_vectorization_accepts_binary():
    layer = keraslite.layers.TextVectorization(vocabulary=["cat", "dog"], output_mode="binary")
    out = keraslite.ops.convert_to_numpy(layer(np.array(["dog dog", "bird"])))
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0]])


def test_unknown_mode_still_named():
    with pytest.raises(ValueError, match="output_mode"):
        keraslite.layers.StringLookup(output_mode="binaryish")
