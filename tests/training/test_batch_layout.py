"""``batch_layout.full_batches``: full training batches (the last completed with the first rows
of the epoch's order) held in arrays of a fixed row count, so fits on data of different lengths
run one compiled loop."""
import numpy as np

import keraslite as keras
from keraslite.backends import compile as B_compile
from keraslite.training.batch_layout import BatchLayout, full_batches

RNG = np.random.default_rng(11)
X = RNG.normal(size=(40, 3)).astype("float32")
Y = (X @ np.array([[0.5], [-1.0], [2.0]], "float32") + 0.3).astype("float32")
W0 = [np.array([[0.1], [0.2], [-0.1]], "float32"), np.array([0.05], "float32")]


def _linear(lr=0.1):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.set_weights(W0)
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return model


def _numpy_sgd(x, y, batches, lr=0.1):
    """Mini-batch SGD on the mean squared error of x @ w + b, in float64."""
    w, b = W0[0].astype(np.float64), W0[1].astype(np.float64)
    for rows in batches:
        xb, yb = x[rows].astype(np.float64), y[rows].astype(np.float64)
        err = xb @ w + b - yb
        w = w - lr * 2 * xb.T @ err / len(rows)
        b = b - lr * 2 * err.mean(axis=0)
    return w, b


def test_epochs_run_full_batches_completed_from_the_epoch_start():
    n, batch = 30, 8  # three full batches and one of 6 rows, completed with rows 0 and 1
    model = _linear()
    with full_batches(40):
        model.fit(X[:n], Y[:n], batch_size=batch, epochs=2, shuffle=False, verbose=0)
    epoch = [np.arange(0, 8), np.arange(8, 16), np.arange(16, 24),
             np.concatenate([np.arange(24, 30), [0, 1]])]
    w, b = _numpy_sgd(X, Y, epoch * 2)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_b, b, rtol=1e-5, atol=1e-6)
    # Only the full batches' training loop was made.
    train_loops = [k for k in model._functions if k[0] == "train"]
    assert [k[1] for k in train_loops] == [batch]


def test_outside_the_block_fit_keeps_the_last_smaller_batch():
    model = _linear()
    model.fit(X[:30], Y[:30], batch_size=8, epochs=1, shuffle=False, verbose=0)
    w, b = _numpy_sgd(X, Y, [np.arange(0, 8), np.arange(8, 16), np.arange(16, 24),
                             np.arange(24, 30)])
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)


def test_data_smaller_than_one_batch_repeats_its_rows():
    model = _linear()
    with full_batches(40):
        model.fit(X[:3], Y[:3], batch_size=8, epochs=1, shuffle=False, verbose=0)
    w, b = _numpy_sgd(X, Y, [np.array([0, 1, 2, 0, 1, 2, 0, 1])])
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)


def test_fits_on_shorter_and_full_data_share_one_program():
    B_compile.clear_shared_programs()
    with full_batches(40):
        _linear().fit(X[:29], Y[:29], batch_size=8, epochs=1, verbose=0)
        before = B_compile.compilations()
        refit = _linear()
        refit.fit(X, Y, batch_size=8, epochs=1, verbose=0)
        assert B_compile.compilations() == before
    assert np.isfinite(refit.evaluate(X, Y, verbose=0))


def test_layout_order_and_padding():
    layout = BatchLayout(rows=10)
    order = layout.order(np.array([4, 2, 0, 1, 3], np.int32), batch_size=4, steps=2)
    np.testing.assert_array_equal(order, [4, 2, 0, 1, 3, 4, 2, 0, 0, 0, 0, 0])
    padded = layout.pad_rows(np.ones((5, 2), np.float32))
    assert padded.shape == (10, 2) and padded[5:].sum() == 0 and padded[:5].sum() == 10
