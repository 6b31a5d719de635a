"""StackedRNNCells inside RNN against Keras 3 (oracle) with the same weights, and a NumPy
two-layer SimpleRNN reference."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(12)
X = RNG.normal(size=(3, 5, 4)).astype(np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _cells(module):
    return [module.LSTMCell(6), module.GRUCell(3), module.SimpleRNNCell(2)]


@pytest.mark.parametrize("return_sequences,return_state", [(False, False), (True, True)])
def test_matches_keras_with_the_same_weights(return_sequences, return_state):
    keras = _keras()
    ours = layers.RNN(layers.StackedRNNCells(_cells(layers)), return_sequences=return_sequences,
                      return_state=return_state)
    theirs = keras.layers.RNN(keras.layers.StackedRNNCells(_cells(keras.layers)),
                              return_sequences=return_sequences, return_state=return_state)
    got = ours(X)
    oracle(theirs, X)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    theirs.set_weights(ours.get_weights())
    want = oracle(theirs, X)
    got, want = (got, want) if return_state else ([got], [want])
    # Keras nests each cell's states ([output, [h1, c1], h2, h3]); keraslite's RNN returns
    # them flat ([output, h1, c1, h2, h3]), in the same order.
    want = [w for item in want for w in (item if isinstance(item, (list, tuple)) else [item])]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(num(g), np.asarray(w), rtol=1e-5, atol=1e-5)


def test_two_simple_cells_match_numpy():
    rnn = layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(3), layers.SimpleRNNCell(2)]))
    out = num(rnn(X))
    k1, r1, b1, k2, r2, b2 = rnn.get_weights()
    h1, h2 = np.zeros((3, 3), np.float32), np.zeros((3, 2), np.float32)
    for t in range(X.shape[1]):
        h1 = np.tanh(X[:, t] @ k1 + h1 @ r1 + b1)
        h2 = np.tanh(h1 @ k2 + h2 @ r2 + b2)
    np.testing.assert_allclose(out, h2, rtol=1e-5, atol=1e-6)


def test_trains_with_dropout_and_round_trips_its_config():
    model = keraslite.Sequential([
        keraslite.Input((5, 4)),
        layers.RNN(layers.StackedRNNCells([layers.LSTMCell(4, dropout=0.3, recurrent_dropout=0.2,
                                                            seed=1),
                                           layers.GRUCell(2, dropout=0.1, seed=2)])),
        layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(X, np.ones((3, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    stack = model.layers[0].cell
    again = layers.StackedRNNCells.from_config(stack.get_config())
    assert [type(c).__name__ for c in again.cells] == ["LSTMCell", "GRUCell"]
    assert again.cells[0].dropout == 0.3 and again.state_size == [4, 4, 2]
    clone = keraslite.models.clone_model(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-5)


def test_bad_cells_are_named():
    with pytest.raises(ValueError, match="cells"):
        layers.StackedRNNCells([])
    with pytest.raises(ValueError, match="state_size"):
        layers.StackedRNNCells([layers.Dense(3)])
