"""TensorFlow's ``jit_compile="auto"`` loops use XLA only for enough steps to repay its
compilation: a short fit runs TensorFlow's kernels, a long one (or a loop that has run many
steps over several calls) XLA, with the same results either way."""
import numpy as np
import pytest

import keraslite
from keraslite import ops
from keraslite.backends import compile as backend_compile

ON_TF = keraslite.backend.backend() == "tensorflow"
BATCH = 4


def _sum_loop(traces):
    def step(params, carry, batch):
        traces.append(1)  # runs only while the loop is traced
        (total,) = carry
        return [total + ops.sum(batch[0] * batch[0], axis=0) * params[0]]

    return backend_compile.compile_loop(step, BATCH)


def _run(loop, x, n_steps):
    to_device = backend_compile.to_device
    (total,) = loop([to_device(np.float32(0.5))], [to_device(np.zeros(3, "float32"))],
                    [to_device(x)], to_device(np.arange(len(x), dtype="int32")),
                    to_device(np.int32(0)), n_steps)
    return ops.convert_to_numpy(total)


def test_loop_results_match_numpy_before_and_after_it_switches_to_xla():
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    traces = []
    loop = _sum_loop(traces)
    expected = 0.5 * (x[:12] ** 2).sum(axis=0)
    np.testing.assert_allclose(_run(loop, x, 3), expected, rtol=1e-5)
    if ON_TF:
        assert not loop.compiled.uses_xla  # 3 steps do not repay a compilation
        loop.expect(backend_compile.XLA_MIN_STEPS)
        assert loop.compiled.uses_xla
    np.testing.assert_allclose(_run(loop, x, 3), expected, rtol=1e-5)
    if ON_TF:
        assert len(traces) == 1  # the XLA variant calls the traced plain loop


def _model():
    model = keraslite.Sequential([keraslite.Input((5,)),
                                  keraslite.layers.Dense(4, activation="relu"),
                                  keraslite.layers.Dense(3, activation="softmax")])
    model.compile(keraslite.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _train_loops(model):
    """{batch size: uses XLA} of the model's compiled train loops."""
    return {key[1]: loop.run.compiled.uses_xla for key, loop in model._functions.items()
            if isinstance(key, tuple) and key[0] == "train" and hasattr(loop, "run")}


@pytest.mark.skipif(not ON_TF, reason="the XLA-or-not choice exists on TensorFlow only")
def test_fit_chooses_xla_by_the_steps_each_loop_runs(monkeypatch):
    from keraslite.backends.tensorflow import compile as tf_compile

    monkeypatch.setattr(tf_compile, "XLA_MIN_STEPS", 12)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(22, 5)).astype("float32")
    y = rng.integers(0, 3, size=22).astype("int32")
    fit = dict(batch_size=8, shuffle=False, verbose=0)  # 2 full batches and one of 6

    short, long, plain = _model(), _model(), _model()
    long.set_weights(short.get_weights())
    plain.set_weights(short.get_weights())
    plain.compile(plain.optimizer, plain.loss, metrics=["accuracy"], jit_compile=False)
    short.fit(x, y, epochs=3, **fit)  # 6 full-batch steps
    assert _train_loops(short) == {8: False, 6: False}
    long.fit(x, y, epochs=6, **fit)  # 12 full-batch steps, 6 of the last batch
    assert _train_loops(long) == {8: True, 6: False}
    # Three more short fits: the full-batch loop has now run 12 steps and switches.
    for _ in range(3):
        short.fit(x, y, epochs=1, **fit)
    assert _train_loops(short) == {8: True, 6: False}
    history = plain.fit(x, y, epochs=6, **fit).history
    for model in (short, long):
        for got, want in zip(model.get_weights(), plain.get_weights()):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(long.evaluate(x, y, verbose=0)[0],
                               plain.evaluate(x, y, verbose=0)[0], rtol=1e-4)
    assert np.isfinite(history["loss"]).all()


@pytest.mark.skipif(not ON_TF, reason="the XLA-or-not choice exists on TensorFlow only")
def test_a_recurrent_models_loop_uses_xla_even_in_a_short_fit():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 5, 3)).astype("float32"), rng.normal(size=(32, 1))
    loops = {}
    for name, hidden in (("lstm", keraslite.layers.LSTM(4)),
                         ("dense", keraslite.layers.Flatten())):
        model = keraslite.Sequential([keraslite.Input((5, 3)), hidden, keraslite.layers.Dense(1)])
        model.compile("sgd", "mse")
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        loops[name] = [v for k, v in model._functions.items()
                       if isinstance(k, tuple) and k[0] == "train"][0]
    assert loops["lstm"].run.compiled.uses_xla
    assert not loops["dense"].run.compiled.uses_xla  # 2 steps: far below XLA_MIN_STEPS
