"""Recurrent layers over an unknown time axis (``Input((None, features))``): the functional model
is built symbolically, trained on batches of one length and predicts on another; outputs are
checked against a NumPy reference of SimpleRNN, LSTM and GRU (masks, go_backwards,
return_sequences, Bidirectional)."""
import numpy as np
import pytest

import keraslite
from keraslite import backend, layers

F, U = 3, 4


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _step(kind, weights, x_t, states, reset_after=True):
    """One step of the NumPy reference; returns (output, new_states)."""
    k, rk, b = weights
    if kind == "SimpleRNN":
        h = np.tanh(x_t @ k + states[0] @ rk + b)
        return h, [h]
    if kind == "LSTM":
        h, c = states
        i, f, g, o = np.split(x_t @ k + h @ rk + b, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        return h, [h, c]
    h = states[0]  # GRU, gates z, r, candidate
    if reset_after:
        xz, xr, xh = np.split(x_t @ k + b[0], 3, axis=-1)
        hz, hr, hh = np.split(h @ rk + b[1], 3, axis=-1)
        z, r = _sigmoid(xz + hz), _sigmoid(xr + hr)
        cand = np.tanh(xh + r * hh)
    else:
        xz, xr, xh = np.split(x_t @ k + b, 3, axis=-1)
        u = rk.shape[0]
        z = _sigmoid(xz + h @ rk[:, :u])
        r = _sigmoid(xr + h @ rk[:, u:2 * u])
        cand = np.tanh(xh + (r * h) @ rk[:, 2 * u:])
    h = z * h + (1 - z) * cand
    return h, [h]


def _rnn_ref(kind, weights, x, mask, go_backwards, return_sequences, zero_masked=False,
             reset_after=True):
    """Runs ``_step`` over time; masked steps keep the states and repeat (or zero) the output.
    Outputs are in processing order, as the layers return them."""
    batch, steps = x.shape[:2]
    n_states = 2 if kind == "LSTM" else 1
    states = [np.zeros((batch, U), "float64") for _ in range(n_states)]
    last = np.zeros((batch, U))
    outputs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        out, new = _step(kind, weights, x[:, t].astype("float64"), states, reset_after)
        keep = mask[:, t:t + 1]
        states = [np.where(keep, n, s) for n, s in zip(new, states)]
        last = np.where(keep, out, 0.0 if zero_masked else last)
        outputs.append(last)
    return np.stack(outputs, axis=1) if return_sequences else last


def _padded_batch(rng, batch, steps, lengths):
    """Random sequences with zero padding after ``lengths`` (a Masking layer masks them)."""
    x = rng.standard_normal((batch, steps, F)).astype("float32")
    mask = np.arange(steps)[None, :] < np.asarray(lengths)[:, None]
    return x * mask[..., None], mask


CASES = [
    ("SimpleRNN", {}),
    ("LSTM", {}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
]


def _weights(layer):
    return [np.asarray(w, "float64") for w in layer.get_weights()]


@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("kind,kwargs", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_unknown_time_axis_fit_and_predict_other_length(kind, kwargs, go_backwards,
                                                        return_sequences):
    keraslite.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    inp = keraslite.Input((None, F))
    rnn = getattr(layers, kind)(U, go_backwards=go_backwards,
                                return_sequences=return_sequences, **kwargs)
    out = rnn(layers.Masking(0.0)(inp))
    assert tuple(out.shape) == ((None, None, U) if return_sequences else (None, U))
    model = keraslite.Model(inp, out)
    model.compile(optimizer=keraslite.optimizers.SGD(0.1), loss="mse")

    x5, _ = _padded_batch(rng, 4, 5, [5, 3, 5, 1])
    y5 = rng.standard_normal((4, 5, U) if return_sequences else (4, U)).astype("float32")
    before = _weights(rnn)
    model.fit(x5, y5, batch_size=4, epochs=2, verbose=0)
    after = _weights(rnn)
    assert any(not np.allclose(a, b) for a, b in zip(before, after))  # it trained

    x7, mask7 = _padded_batch(rng, 3, 7, [7, 2, 5])
    got = model.predict(x7, batch_size=3, verbose=0)
    ref = _rnn_ref(kind, after, x7, mask7, go_backwards, return_sequences,
                   reset_after=kwargs.get("reset_after", True))
    np.testing.assert_allclose(got, ref, atol=1e-5)
    # The same model, called eagerly on a third length, agrees with the reference too.
    x4, mask4 = _padded_batch(rng, 2, 4, [4, 2])
    ref4 = _rnn_ref(kind, after, x4, mask4, go_backwards, return_sequences,
                    reset_after=kwargs.get("reset_after", True))
    np.testing.assert_allclose(backend.convert_to_numpy(model(x4)), ref4, atol=1e-5)


@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
def test_bidirectional_unknown_time_axis(return_sequences):
    keraslite.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    inp = keraslite.Input((None, F))
    bi = layers.Bidirectional(layers.LSTM(U, return_sequences=return_sequences))
    out = bi(layers.Masking(0.0)(inp))
    assert tuple(out.shape) == ((None, None, 2 * U) if return_sequences else (None, 2 * U))
    model = keraslite.Model(inp, out)
    model.compile(optimizer=keraslite.optimizers.SGD(0.1), loss="mse")
    x5, _ = _padded_batch(rng, 4, 5, [5, 2, 4, 5])
    y5 = rng.standard_normal((4, 5, 2 * U) if return_sequences else (4, 2 * U))
    model.fit(x5, y5.astype("float32"), batch_size=4, epochs=1, verbose=0)

    x6, mask6 = _padded_batch(rng, 3, 6, [6, 1, 4])
    got = model.predict(x6, batch_size=3, verbose=0)
    fwd = _rnn_ref("LSTM", _weights(bi.forward_layer), x6, mask6, False, return_sequences,
                   zero_masked=return_sequences)
    bwd = _rnn_ref("LSTM", _weights(bi.backward_layer), x6, mask6, True, return_sequences,
                   zero_masked=return_sequences)
    if return_sequences:
        bwd = bwd[:, ::-1]  # back into input order before the merge
    np.testing.assert_allclose(got, np.concatenate([fwd, bwd], axis=-1), atol=1e-5)


def test_return_state_and_stacked_layers_unknown_time_axis():
    keraslite.utils.set_random_seed(2)
    rng = np.random.default_rng(2)
    inp = keraslite.Input((None, F))
    seq = layers.GRU(U, return_sequences=True)(inp)
    out, h, c = layers.LSTM(U, return_state=True)(seq)
    assert [tuple(t.shape) for t in (seq, out, h, c)] == [(None, None, U)] + [(None, U)] * 3
    model = keraslite.Model(inp, [out, c])
    x = rng.standard_normal((2, 9, F)).astype("float32")
    got_out, got_c = model.predict(x, verbose=0)
    gru, lstm = model.layers[1], model.layers[2]
    ones = np.ones((2, 9), bool)
    seq_ref = _rnn_ref("GRU", _weights(gru), x, ones, False, True)
    out_ref = _rnn_ref("LSTM", _weights(lstm), seq_ref, ones, False, False)
    np.testing.assert_allclose(got_out, out_ref, atol=1e-5)
    assert got_c.shape == (2, U) and not np.allclose(got_c, got_out)
