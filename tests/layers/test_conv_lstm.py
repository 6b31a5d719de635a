"""ConvLSTM1D/2D/3D against Keras 3 (oracle) with the same weights, and a NumPy ConvLSTM1D."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(31)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


CASES = [
    ("ConvLSTM1D", (2, 3, 8, 2), dict(filters=3, kernel_size=2, strides=2, padding="same",
                                      return_sequences=True, return_state=True)),
    ("ConvLSTM2D", (1, 3, 6, 6, 1), dict(filters=2, kernel_size=(2, 3), dilation_rate=(1, 2),
                                         padding="same", go_backwards=True, use_bias=False,
                                         return_sequences=True)),
    ("ConvLSTM3D", (1, 2, 4, 4, 4, 1), dict(filters=2, kernel_size=2)),
]


@pytest.mark.parametrize("name,shape,kwargs", CASES)
def test_matches_keras_with_the_same_weights(name, shape, kwargs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x = RNG.normal(size=shape).astype(np.float32)
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    ours.build(shape)
    oracle(theirs.build, shape)
    weights = [w + RNG.normal(scale=0.1, size=w.shape).astype(np.float32)
               for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    got, want = ours(x), oracle(theirs, x)
    got = got if isinstance(got, (list, tuple)) else [got]
    want = want if isinstance(want, (list, tuple)) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(num(g), np.asarray(w), rtol=1e-4, atol=1e-5)


def test_conv_lstm_1d_matches_numpy():
    x = RNG.normal(size=(2, 3, 6, 2)).astype(np.float32)
    layer = layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True)
    out = num(layer(x))
    kernel, recurrent, bias = layer.get_weights()

    def conv_same(inp, k):  # (B, L, C) * (K, C, O), stride 1, "same" padding
        pad = (k.shape[0] - 1) // 2
        p = np.pad(inp, ((0, 0), (pad, k.shape[0] - 1 - pad), (0, 0)))
        return np.stack([np.einsum("bkc,kco->bo", p[:, i:i + k.shape[0]], k)
                         for i in range(inp.shape[1])], axis=1)

    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h = c = np.zeros((2, 6, 2), np.float32)
    for t in range(3):
        z = conv_same(x[:, t], kernel) + conv_same(h, recurrent) + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        np.testing.assert_allclose(out[:, t], h, rtol=1e-4, atol=1e-5)


def test_trains_symbolically_and_round_trips_config():
    inputs = keraslite.Input((3, 5, 5, 1))
    layer = layers.ConvLSTM2D(2, 3, padding="same", dropout=0.2, recurrent_dropout=0.2, seed=1)
    outputs = layers.Dense(1)(layers.Flatten()(layer(inputs)))
    model = keraslite.Model(inputs, outputs)
    x = RNG.normal(size=(4, 3, 5, 5, 1)).astype(np.float32)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, np.ones((4, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    config = layer.get_config()
    assert config["filters"] == 2 and config["kernel_size"] == [3, 3]
    again = layers.ConvLSTM2D.from_config(config)
    again.build((None, 3, 5, 5, 1))
    again.set_weights(layer.get_weights())
    np.testing.assert_allclose(num(again(x)), num(layer(x)), rtol=1e-5)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="stateful"):
        layers.ConvLSTM2D(2, 3, stateful=True)
    with pytest.raises(ValueError, match="kernel_size"):
        layers.ConvLSTM2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="ndim|rank"):
        layers.ConvLSTM2D(2, 3)(np.zeros((1, 2, 4, 4), np.float32))
