import numpy as np
import pytest

from keraslite.utils import normalize, to_categorical


def test_to_categorical_infers_num_classes():
    out = to_categorical([0, 2, 1])
    np.testing.assert_array_equal(out, np.eye(3, dtype="float32")[[0, 2, 1]])
    assert out.dtype == np.float32


def test_to_categorical_shapes():
    assert to_categorical(np.array([[1], [3]])).shape == (2, 4)
    assert to_categorical(np.zeros((2, 3), dtype="int32"), num_classes=5).shape == (2, 3, 5)
    assert to_categorical(np.array([1.0, 2.0])).shape == (2, 3)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="non-negative"):
        to_categorical([-1, 2])
    with pytest.raises(ValueError, match="integer"):
        to_categorical([0.5, 1.0])
    with pytest.raises(TypeError, match="integer"):
        to_categorical(["a", "b"])
    with pytest.raises(ValueError, match="num_classes=3"):
        to_categorical([3], num_classes=3)


def test_normalize_unit_rows_and_zero_rows():
    out = normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(normalize([[1.0, 1.0]], order=1), [[0.5, 0.5]])
