"""Recurrent layers: the layer contract, Keras 3 as a numeric oracle (outputs and gradients with
copied weights), a NumPy reference for one LSTM step, states, masking and an end-to-end fit."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers, ops
from keraslite.variables import StatelessScope
from layer_test_helper import run_layer_test

B, T, F, U = 3, 6, 5, 4

CONTRACT_CASES = [
    (layers.SimpleRNN, {"units": U}, (B, T, F), (B, U), 3, 0, 0),
    (layers.SimpleRNN, {"units": U, "return_sequences": True, "use_bias": False},
     (B, T, F), (B, T, U), 2, 0, 0),
    (layers.LSTM, {"units": U}, (B, T, F), (B, U), 3, 0, 0),
    (layers.LSTM, {"units": U, "return_sequences": True, "go_backwards": True},
     (B, T, F), (B, T, U), 3, 0, 0),
    (layers.LSTM, {"units": U, "return_state": True}, (B, T, F), [(B, U), (B, U), (B, U)],
     3, 0, 0),
    (layers.LSTM, {"units": U, "dropout": 0.2, "recurrent_dropout": 0.3, "seed": 1},
     (B, T, F), (B, U), 3, 0, 0),  # the seed generator lives on the cell
    (layers.LSTM, {"units": U, "unroll": True}, (B, T, F), (B, U), 3, 0, 0),
    (layers.GRU, {"units": U}, (B, T, F), (B, U), 3, 0, 0),
    (layers.GRU, {"units": U, "reset_after": False, "return_sequences": True},
     (B, T, F), (B, T, U), 3, 0, 0),
    (layers.RNN, {"cell": layers.LSTMCell(U)}, (B, T, F), (B, U), 3, 0, 0),
    (layers.Bidirectional, {"layer": layers.LSTM(U, return_sequences=True)},
     (B, T, F), (B, T, 2 * U), 6, 0, 0),
    (layers.Bidirectional, {"layer": layers.GRU(U), "merge_mode": "sum"},
     (B, T, F), (B, U), 6, 0, 0),
    (layers.TimeDistributed, {"layer": layers.Dense(2)}, (B, T, F), (B, T, 2), 2, 0, 0),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape,n_train,n_non_train,n_seeds",
                         CONTRACT_CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CONTRACT_CASES)])
def test_layer_contract(cls, kwargs, in_shape, out_shape, n_train, n_non_train, n_seeds):
    # Wrappers (RNN(cell), Bidirectional, TimeDistributed) compute with the layer they wrap,
    # whose own dtype policy sets the output dtype, so the mixed precision check is for the
    # layers that own their cells.
    wraps_a_layer = cls in (layers.RNN, layers.Bidirectional, layers.TimeDistributed)
    run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_train,
                   expected_num_non_trainable_weights=n_non_train,
                   expected_num_seed_generators=n_seeds, atol=1e-5,
                   run_mixed_precision_check=not wraps_a_layer)


def test_exports_and_weight_layout():
    for name in ("SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "SimpleRNN", "LSTM", "GRU",
                 "Bidirectional", "TimeDistributed"):
        assert hasattr(keraslite.layers, name)
    lstm = layers.LSTM(U)
    lstm(np.zeros((1, 2, F), "float32"))
    assert [(w.name, w.shape) for w in lstm.weights] == [
        ("kernel", (F, 4 * U)), ("recurrent_kernel", (U, 4 * U)), ("bias", (4 * U,))]
    # unit_forget_bias: forget-gate slice of the bias starts at one, the rest at zero.
    bias = lstm.weights[2].numpy()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    # recurrent kernel is orthogonal by default (each gate block is square)
    rk = lstm.weights[1].numpy()
    np.testing.assert_allclose(rk @ rk.T, np.eye(U), atol=1e-5)
    gru = layers.GRU(U)
    gru(np.zeros((1, 2, F), "float32"))
    assert [w.shape for w in gru.weights] == [(F, 3 * U), (U, 3 * U), (2, 3 * U)]


# -- NumPy reference ----------------------------------------------------------------------------
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_lstm_one_step_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1, F)).astype("float32")
    h0 = rng.standard_normal((2, U)).astype("float32")
    c0 = rng.standard_normal((2, U)).astype("float32")
    layer = layers.LSTM(U, return_state=True)
    layer(x)
    k, rk, b = [rng.standard_normal(w.shape).astype("float32") * 0.5 for w in layer.weights]
    layer.set_weights([k, rk, b])
    out, h, c = [backend.convert_to_numpy(t)
                 for t in layer(x, initial_state=[h0, c0])]
    z = x[:, 0] @ k + h0 @ rk + b
    i, f, g, o = np.split(z, 4, axis=-1)
    c_ref = _sigmoid(f) * c0 + _sigmoid(i) * np.tanh(g)
    h_ref = _sigmoid(o) * np.tanh(c_ref)
    np.testing.assert_allclose(c, c_ref, atol=1e-5)
    np.testing.assert_allclose(h, h_ref, atol=1e-5)
    np.testing.assert_allclose(out, h_ref, atol=1e-5)


def test_masked_steps_keep_previous_state():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, T, F)).astype("float32")
    mask = np.ones((2, T), bool)
    mask[0, 3:] = False  # sample 0: only the first 3 steps are real
    layer = layers.GRU(U, return_sequences=True, return_state=True)
    seq, h = [backend.convert_to_numpy(t) for t in layer(x, mask=mask)]
    short = backend.convert_to_numpy(layer(x[:1, :3])[0])
    np.testing.assert_allclose(h[0], short[0, -1], atol=1e-5)
    for t in range(3, T):  # masked steps repeat the last real output
        np.testing.assert_allclose(seq[0, t], short[0, -1], atol=1e-5)


def test_stateful_carries_and_resets_states():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2 * T, F)).astype("float32")
    full = layers.LSTM(U)
    ref = backend.convert_to_numpy(full(x))
    stateful = layers.LSTM(U, stateful=True)
    stateful(x[:, :T])
    stateful.set_weights(full.get_weights())
    assert len(stateful.weights) == 3 and len(stateful.variables) == 5
    stateful.reset_states()  # forget the building call
    stateful(x[:, :T])
    second = backend.convert_to_numpy(stateful(x[:, T:]))
    np.testing.assert_allclose(second, ref, atol=1e-5)
    stateful.reset_states()
    assert all(np.all(v.numpy() == 0) for v in stateful.states)
    again = backend.convert_to_numpy(stateful(x[:, :T]))
    first = backend.convert_to_numpy(full(x[:, :T]))
    np.testing.assert_allclose(again, first, atol=1e-5)


def test_invalid_arguments_and_inputs():
    with pytest.raises(ValueError, match="LSTM.*units.*-3"):
        layers.LSTM(-3)
    with pytest.raises(ValueError, match="GRU.*dropout.*1.5"):
        layers.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match="Bidirectional.*merge_mode.*'max'"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match=r"lstm.*ndim=3.*\(2, 5\)"):
        layers.LSTM(2)(np.zeros((2, 5), "float32"))
    with pytest.raises(ValueError, match="stateful.*batch size"):
        keraslite.Sequential([keraslite.Input((T, F)), layers.LSTM(2, stateful=True)])


def test_functional_model_with_initial_state_and_dropout_training():
    inp = keraslite.Input((T, F))
    h = keraslite.Input((U,))
    c = keraslite.Input((U,))
    out = layers.LSTM(U, dropout=0.5, recurrent_dropout=0.5, seed=3)(inp, initial_state=[h, c])
    model = keraslite.Model([inp, h, c], out)
    lstm = model.layers[-1]
    assert len(lstm.cell._seed_generators) == 1
    assert len(lstm.variables) == len(lstm.weights) + 1  # the RNG state travels with the layer
    rng = np.random.default_rng(3)
    data = [rng.standard_normal((2, T, F)).astype("float32"),
            rng.standard_normal((2, U)).astype("float32"),
            rng.standard_normal((2, U)).astype("float32")]
    a = backend.convert_to_numpy(model(data, training=False))
    b = backend.convert_to_numpy(model(data, training=False))
    np.testing.assert_array_equal(a, b)
    d = backend.convert_to_numpy(model(data, training=True))
    assert d.shape == (2, U) and not np.allclose(a, d)


class _ScaledOutputCell(layers.SimpleRNNCell):
    """Outputs 2 * h while its state stays h: the output is not the first state."""

    output_is_first_state = False

    def call(self, inputs, states, training=None):
        h, new_states = super().call(inputs, states, training=training)
        return 2.0 * h, new_states


def test_cell_whose_output_is_not_its_state():
    # RNN skips carrying the last output only for cells that say it equals their first state.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, T, F)).astype("float32")
    layer = layers.RNN(_ScaledOutputCell(U), return_state=True)
    out, h = [backend.convert_to_numpy(t) for t in layer(x)]
    k, rk, b = layer.cell.get_weights()
    h_ref = np.zeros((2, U))
    for t in range(T):
        h_ref = np.tanh(x[:, t] @ k + h_ref @ rk + b)
    np.testing.assert_allclose(h, h_ref, atol=1e-5)
    np.testing.assert_allclose(out, 2 * h_ref, atol=1e-5)


def test_end_to_end_fit_loss_decreases():
    keraslite.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, T, 3)).astype("float32")
    y = x[:, :, 0].sum(axis=1, keepdims=True)
    model = keraslite.Sequential([keraslite.Input((T, 3)), layers.LSTM(8), layers.Dense(1)])
    model.compile(optimizer=keraslite.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    assert model.predict(x, verbose=0).shape == (64, 1)


# -- Keras 3 oracle -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keras():
    # Importing TensorFlow imports Keras too, so under KERASLITE_BACKEND=tensorflow the oracle
    # is Keras on TensorFlow; gradients are then taken with its own autodiff.
    os.environ["KERAS_BACKEND"] = "jax"
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() in ("jax", "tensorflow"), keras.backend.backend()
    return keras


def _build(module, spec):
    """spec: (class name, kwargs) or ("Bidirectional"/"TimeDistributed", kwargs, inner spec)."""
    name, kwargs = spec[0], dict(spec[1])
    if len(spec) == 3:
        return getattr(module.layers, name)(_build(module, spec[2]), **kwargs)
    return getattr(module.layers, name)(**kwargs)


ORACLE_CASES = [
    ("LSTM", {"units": U}),
    ("LSTM", {"units": U, "return_sequences": True, "return_state": True}),
    ("LSTM", {"units": U, "go_backwards": True, "return_sequences": True,
              "activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("GRU", {"units": U, "return_sequences": True}),
    ("GRU", {"units": U, "reset_after": False, "return_state": True}),
    ("GRU", {"units": U, "go_backwards": True}),
    ("SimpleRNN", {"units": U, "return_sequences": True, "return_state": True}),
    ("SimpleRNN", {"units": U, "go_backwards": True, "use_bias": False}),
    ("Bidirectional", {}, ("LSTM", {"units": U, "return_sequences": True})),
    ("Bidirectional", {"merge_mode": "sum"}, ("GRU", {"units": U})),
    ("Bidirectional", {"merge_mode": "ave"}, ("SimpleRNN", {"units": U,
                                                            "return_sequences": True})),
    ("Bidirectional", {"merge_mode": "mul"}, ("LSTM", {"units": U, "return_state": True})),
    ("Bidirectional", {"merge_mode": None}, ("GRU", {"units": U, "return_sequences": True})),
    ("TimeDistributed", {}, ("Dense", {"units": 3, "activation": "tanh"})),
]


def _mask():
    mask = np.ones((B, T), bool)
    mask[0, 4:] = False
    mask[1, 1:3] = False
    mask[2, 0] = False
    return mask


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _our_loss_and_grads(layer, x, weights_out, kwargs):
    trainable = list(layer.trainable_variables)

    def loss_fn(params, weights_out):
        *ws, xx = params
        with StatelessScope(dict(zip(trainable, ws))):
            outs = _flat(layer(xx, **kwargs))
        return sum(ops.sum(o * w) for o, w in zip(outs, weights_out))

    params = [v.value for v in trainable] + [ops.convert_to_tensor(x)]
    loss, grads = backend.value_and_grad(loss_fn)(params, weights_out)
    return float(backend.convert_to_numpy(loss)), [backend.convert_to_numpy(g) for g in grads]


def _keras_loss_and_grads(klayer, x, weights_out, kwargs):
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        xx = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(xx)
            outs = _flat(klayer(xx, **kwargs))
            loss = sum(tf.reduce_sum(o * w) for o, w in zip(outs, weights_out))
        grads = tape.gradient(loss, [v.value for v in klayer.trainable_variables] + [xx])
        return float(loss), [np.asarray(g) for g in grads]

    import jax
    import jax.numpy as jnp

    non_trainable = [v.value for v in klayer.non_trainable_variables]

    def loss_fn(tv, xx):
        out, _ = klayer.stateless_call(tv, non_trainable, xx, **kwargs)
        return sum(jnp.sum(o * w) for o, w in zip(_flat(out), weights_out))

    tv = [v.value for v in klayer.trainable_variables]
    loss, (g_w, g_x) = jax.value_and_grad(loss_fn, argnums=(0, 1))(tv, jnp.asarray(x))
    return float(loss), [np.asarray(g) for g in list(g_w) + [g_x]]


# Every recurrent case with and without an explicit mask (a mask means nothing to Dense).
ORACLE_PARAMS = [(spec, masked) for spec in ORACLE_CASES for masked in (False, True)
                 if not (masked and spec[0] == "TimeDistributed")]


@pytest.mark.parametrize("spec,masked", ORACLE_PARAMS, ids=[
    f"{spec[0]}-{i}-{'mask' if masked else 'nomask'}" for i, (spec, masked)
    in enumerate(ORACLE_PARAMS)])
def test_matches_keras_outputs_and_gradients(keras, spec, masked):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((B, T, F)).astype("float32")
    kwargs = {"mask": _mask()} if masked else {}
    theirs, ours = _build(keras, spec), _build(keraslite, spec)
    theirs(x)
    ours(x)
    assert [(w.name.split("/")[-1], tuple(w.shape)) for w in theirs.weights] == \
        [(w.name, w.shape) for w in ours.weights]
    # Random (not initial) weights so that every gate and bias matters.
    new_weights = [rng.standard_normal(w.shape).astype("float32") * 0.4 for w in ours.weights]
    theirs.set_weights(new_weights)
    ours.set_weights(new_weights)
    expected = [np.asarray(o) for o in _flat(theirs(x, **kwargs))]
    got = [backend.convert_to_numpy(o) for o in _flat(ours(x, **kwargs))]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, atol=1e-5, rtol=1e-5)
    weights_out = [rng.standard_normal(e.shape).astype("float32") for e in expected]
    k_loss, k_grads = _keras_loss_and_grads(theirs, x, weights_out, kwargs)
    o_loss, o_grads = _our_loss_and_grads(ours, x, weights_out, kwargs)
    np.testing.assert_allclose(o_loss, k_loss, rtol=1e-5, atol=1e-5)
    assert len(o_grads) == len(k_grads)
    for g, e in zip(o_grads, k_grads):
        np.testing.assert_allclose(g, e, atol=1e-5, rtol=1e-5)


def test_keras_config_keys_match(keras):
    for spec in [("LSTM", {"units": U}), ("GRU", {"units": U}), ("SimpleRNN", {"units": U})]:
        theirs, ours = _build(keras, spec), _build(keraslite, spec)
        missing = set(theirs.get_config()) - set(ours.get_config()) - {"use_cudnn"}
        assert not missing, missing
        assert ours.get_config()["recurrent_initializer"]["class_name"] == "Orthogonal"
