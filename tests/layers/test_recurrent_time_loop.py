"""The recurrent layers' time loop (``backends/<name>/rnn.py`` over the backend's scan): values
and gradients of a linear recurrence against its closed form, eagerly and compiled (on
TensorFlow also as a plain graph without XLA, where the loop reads its inputs through
TensorArrays), forwards and reversed."""
import numpy as np
import pytest

from keraslite import backend, ops
from keraslite.backends import compile as backend_compile
from keraslite.backends import rnn as backend_rnn

T, N, A = 7, 3, 0.8


def _closed_form(x, w, v, reverse):
    """h_t = A h_{t-1} + x_t from h = 0 (in processing order); loss = sum(w * h) + sum(v * h_T).
    Returns (loss, dloss/dx)."""
    order = list(range(T))[::-1] if reverse else list(range(T))
    h, hs = np.zeros(N, "float64"), {}
    for t in order:
        h = A * h + x[t]
        hs[t] = h
    loss = sum(float(np.sum(w[t] * hs[t])) for t in order) + float(np.sum(v * h))
    grad, upstream = np.zeros_like(x), v.copy()
    for t in reversed(order):  # back through the steps
        upstream = upstream + w[t]
        grad[t] = upstream
        upstream = A * upstream
    return loss, grad


# time_loop has no reverse argument: RNN flips the inputs of go_backwards layers itself.
LOOPS = [("time_loop", False), ("ops.scan", False), ("ops.scan", True)]


@pytest.mark.parametrize("compiled", [None, False, True], ids=["eager", "graph", "xla"])
@pytest.mark.parametrize("loop,reverse", LOOPS, ids=["time_loop", "scan", "scan-reverse"])
def test_loop_gradient_matches_closed_form(compiled, loop, reverse):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, T, N)).astype("float32")
    v = rng.standard_normal(N).astype("float32")

    def step(h, x_t):
        h = A * h + x_t
        return h, h

    def loss_fn(xs):
        init = ops.zeros((N,), dtype="float32")
        if loop == "time_loop":
            last, ys = backend_rnn.time_loop(step, init, xs)
        else:
            last, ys = ops.scan(step, init, xs, reverse=reverse)
        return ops.sum(ys * w) + ops.sum(last * v)

    grad_fn = backend.value_and_grad(loss_fn)
    if compiled is not None:
        grad_fn = backend_compile.compile_function(grad_fn, jit_compile=compiled)
    loss, grad = grad_fn(ops.convert_to_tensor(x, dtype="float32"))
    expected_loss, expected_grad = _closed_form(x, w, v, reverse)
    np.testing.assert_allclose(float(ops.convert_to_numpy(loss)), expected_loss, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(grad), expected_grad, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.skipif(backend.backend() != "jax", reason="XLA compile options of JAX's loops")
def test_program_with_a_time_loop_keeps_xla_default_emitters(monkeypatch):
    """A loop program holding a recurrent layer compiles with XLA's default CPU options (the
    newer fusion emitters, faster for the time loop); others with the loops' usual options."""
    import keraslite
    from keraslite.backends.jax import compile as jax_compile
    from keraslite.backends.jax import executables

    if jax_compile.jax.default_backend() != "cpu":
        pytest.skip("the compile options are chosen on CPU only")
    seen = []
    real = executables.compiled

    def recording(lowered, options, submit=None):
        seen.append(dict(options))
        return real(lowered, options, submit)

    monkeypatch.setattr(executables, "compiled", recording)
    x = np.random.default_rng(0).standard_normal((4, 5, 3)).astype("float32")
    y = np.zeros((4, 2), "float32")
    recurrent = keraslite.Sequential([keraslite.Input((5, 3)), keraslite.layers.LSTM(2)])
    dense = keraslite.Sequential([keraslite.Input((5, 3)), keraslite.layers.Flatten(),
                                  keraslite.layers.Dense(2)])
    for model, expected in [(recurrent, {}), (dense, jax_compile._cpu_options())]:
        model.compile(optimizer="sgd", loss="mse")
        seen.clear()
        model.train_on_batch(x, y)
        assert seen and all(options == expected for options in seen), (model.layers, seen)
