"""Target inference and bad input of keraslite.automl (no training: checked against NumPy)."""
import numpy as np
import pytest

from keraslite import automl as ak


def test_integer_labels_are_sparse_softmax_and_decode_back():
    head = ak.ClassificationHead()
    y = np.array([3, 1, 2, 3, 1])
    head.adapt(y)
    assert (head.mode, head.units, head.activation) == ("sparse", 3, "softmax")
    np.testing.assert_array_equal(head.encode(y), np.searchsorted(np.unique(y), y))
    probs = np.eye(3)[head.encode(y)]
    np.testing.assert_array_equal(head.decode(probs)[:, 0], y)


def test_string_labels_two_classes_are_binary_sigmoid():
    head = ak.ClassificationHead()
    y = np.array(["cat", "dog", "dog", "cat"])
    head.adapt(y)
    assert (head.mode, head.units, head.activation) == ("binary", 1, "sigmoid")
    np.testing.assert_array_equal(head.encode(y), [[0], [1], [1], [0]])  # the sigmoid's shape
    np.testing.assert_array_equal(head.decode(np.array([[0.9], [0.2]]))[:, 0], ["dog", "cat"])
    with pytest.raises(ValueError, match="not among the classes"):
        head.encode(np.array(["cow"]))


def test_one_hot_and_multi_label():
    head = ak.ClassificationHead()
    y = np.eye(4)[[0, 2, 1, 3]]
    head.adapt(y)
    assert (head.mode, head.units) == ("one_hot", 4)
    np.testing.assert_array_equal(head.decode(y * 0.8 + 0.05), y)
    rows = np.array([[1, 1, 0], [0, 1, 1]])
    with pytest.raises(ValueError, match="multi_label=True"):
        ak.ClassificationHead().adapt(rows)
    multi = ak.ClassificationHead(multi_label=True)
    multi.adapt(rows)
    assert (multi.mode, multi.activation) == ("multi_label", "sigmoid")


@pytest.mark.parametrize("y, message", [
    (np.zeros(5, dtype=int), "at least two classes"),
    (np.array([0.5, 1.5, 2.0]), "non-integer floats"),
    (np.array([[0, 2], [1, 0]]), "one-hot or multi-label"),
])
def test_labels_that_fit_no_classification_head(y, message):
    with pytest.raises(ValueError, match=message):
        ak.ClassificationHead().adapt(y)


def test_num_classes_mismatch():
    with pytest.raises(ValueError, match="num_classes=5.*3 classes"):
        ak.ClassificationHead(num_classes=5).adapt(np.array([0, 1, 2]))


def test_regression_head():
    head = ak.RegressionHead()
    head.adapt(np.array([0.5, 1.5, 2.0]))
    assert head.units == 1
    with pytest.raises(ValueError, match="expected numeric regression targets.*<U"):
        ak.RegressionHead().adapt(np.array(["a", "b"]))


def test_bad_input_raises_before_any_trial(tmp_path):
    x = np.random.default_rng(0).random((10, 8, 8))
    model = ak.ImageClassifier(max_trials=1, directory=str(tmp_path), verbose=0)
    with pytest.raises(ValueError, match="same number of samples.*10 samples in x and 9"):
        model.fit(x, np.arange(9) % 2)
    with pytest.raises(ValueError, match="at least two classes"):
        model.fit(x, np.zeros(10, dtype=int))
    with pytest.raises(ValueError, match="one shape"):
        model.fit([np.zeros((8, 8)), np.zeros((7, 8))], [0, 1])
    with pytest.raises(ValueError, match="expected numeric regression targets"):
        ak.StructuredDataRegressor(directory=str(tmp_path), verbose=0).fit(
            x.reshape(10, -1), np.array(["a"] * 10))
    assert not any(tmp_path.iterdir())  # no search was started
    with pytest.raises(ValueError, match="has not been fitted"):
        model.predict(x)


def test_graph_must_end_in_a_head():
    inputs = ak.StructuredDataInput()
    with pytest.raises(TypeError, match="outputs must be the nodes of heads"):
        ak.AutoModel(inputs, ak.DenseBlock()(inputs))
