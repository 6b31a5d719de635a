import numpy as np
import pytest

import keraslite

pytest.importorskip("sklearn")


def test_shapes_dtypes_and_range():
    (x_train, y_train), (x_test, y_test) = keraslite.datasets.digits()
    assert x_train.shape[1:] == (8, 8) and x_test.shape[1:] == (8, 8)
    assert len(x_train) + len(x_test) == 1797
    assert len(x_train) == len(y_train) and len(x_test) == len(y_test)
    assert x_train.dtype == np.float32
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert np.issubdtype(y_train.dtype, np.integer)
    assert set(np.unique(y_test)) == set(range(10))


def test_split_is_deterministic_and_stratified():
    (a, ya), (b, yb) = keraslite.datasets.digits(seed=3)
    (c, yc), (d, yd) = keraslite.datasets.digits.load_data(seed=3)
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(yb, yd)
    (_, y_other), _ = keraslite.datasets.digits(seed=4)
    assert not np.array_equal(ya, y_other)
    counts = np.bincount(yb, minlength=10)
    assert counts.max() - counts.min() <= 2


def test_test_fraction_and_raw_intensities():
    (x_train, _), (x_test, _) = keraslite.datasets.digits(test_fraction=0.5, normalize=False)
    assert abs(len(x_test) - 1797 / 2) < 10
    assert x_train.max() == 16.0


def test_bad_test_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        keraslite.datasets.digits(test_fraction=1.5)
