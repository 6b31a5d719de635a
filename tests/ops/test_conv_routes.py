"""A convolution on JAX/CPU takes one of two forms (backends/jax/conv_routes.py): XLA's own
convolution in loop-free programs (``predict``), matmuls over gathered windows inside loops
(the training and evaluation steps), the windows gathered in groups whose size a byte budget
sets (backends/jax/conv_as_matmul.py). Every form must give the NumPy reference's values, and
the gradients of XLA's convolution; which form a trace takes is checked too. The NumPy cases
also run under TensorFlow (its own convolution)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import keraslite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "layers"))
from conv_refs import np_conv, to_first, to_last  # noqa: E402

BACKEND = keraslite.backend.backend()
jax_only = pytest.mark.skipif(BACKEND != "jax", reason="the convolution forms of JAX on CPU")

CASES = [  # (spatial, window, in, out, strides, dilation, padding, data_format)
    ((9, 8), (3, 3), 3, 5, 1, 1, "same", "channels_last"),
    ((12, 11), (7, 7), 3, 4, 2, 1, "same", "channels_last"),  # a ResNet-style stem
    ((10, 9), (3, 2), 4, 6, (2, 1), 1, "valid", "channels_first"),
    ((11, 11), (3, 3), 2, 3, 1, 2, "same", "channels_last"),
    ((8, 8), (1, 1), 6, 4, 2, 1, "valid", "channels_last"),
    ((13,), (3,), 3, 4, 2, 1, "same", "channels_last"),
    ((5, 6, 4), (3, 3, 2), 2, 3, 1, 1, "valid", "channels_last"),
]
# IM2COL_BYTES: every window its own matmul, a few windows per matmul, one matmul for all.
BUDGETS = {"per_window": 0, "grouped": 3 * 2 * 8 * 8 * 6 * 4, "one_matmul": 1 << 40}


def _inputs(spatial, window, c_in, c_out, data_format, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2,) + spatial + (c_in,))
    kernel = rng.normal(size=window + (c_in, c_out))
    if data_format == "channels_first":
        x = to_first(x)
    return x.astype("float32"), kernel.astype("float32")


def _numpy(x, kernel, strides, dilation, padding, data_format):
    n = kernel.ndim - 2
    as_tuple = (lambda v: tuple(v) if isinstance(v, tuple) else (v,) * n)
    last = to_last(x) if data_format == "channels_first" else x
    out = np_conv(last.astype("float64"), kernel.astype("float64"), as_tuple(strides), padding,
                  as_tuple(dilation))
    return to_first(out) if data_format == "channels_first" else out


@pytest.mark.parametrize("spatial,window,c_in,c_out,strides,dilation,padding,data_format", CASES)
def test_ops_conv_matches_numpy_eagerly_and_compiled(
        spatial, window, c_in, c_out, strides, dilation, padding, data_format):
    """Eager and compiled-predict calls (XLA's convolution on JAX where it applies)."""
    x, kernel = _inputs(spatial, window, c_in, c_out, data_format)
    want = _numpy(x, kernel, strides, dilation, padding, data_format)
    got = keraslite.ops.conv(x, kernel, strides, padding, data_format, dilation)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)


@jax_only
@pytest.mark.parametrize("budget", sorted(BUDGETS))
@pytest.mark.parametrize("spatial,window,c_in,c_out,strides,dilation,padding,data_format",
                         [CASES[2], CASES[3], CASES[5]])
def test_windows_in_groups_match_numpy_and_xla_gradients(
        monkeypatch, budget, spatial, window, c_in, c_out, strides, dilation, padding,
        data_format):
    """The matmul form at each grouping: values (NumPy) and both gradients (XLA's convolution,
    outside any loop)."""
    import jax

    from keraslite.backends.jax import conv_as_matmul, conv_routes

    monkeypatch.setattr(conv_as_matmul, "IM2COL_BYTES", BUDGETS[budget])
    x, kernel = _inputs(spatial, window, c_in, c_out, data_format, seed=1)

    def ours(a, b):
        return keraslite.ops.conv(a, b, strides, padding, data_format, dilation)

    def xla(a, b):
        from keraslite.backends.common import conv_utils

        n = b.ndim - 2
        letters = "DHW"[-n:]
        lhs = "N" + letters + "C" if data_format == "channels_last" else "NC" + letters
        strides_ = conv_utils.tuplify(strides, n, "strides")
        dilation_ = conv_utils.tuplify(dilation, n, "dilation_rate")
        pads = conv_utils.padding_amounts(conv_utils.spatial_shape(a.shape, data_format),
                                          b.shape[:-2], strides_, dilation_, padding)
        return jax.lax.conv_general_dilated(a, b, strides_, pads, rhs_dilation=dilation_,
                                            dimension_numbers=(lhs, letters + "IO", lhs))

    monkeypatch.setattr(conv_routes, "prefers_xla", lambda window: False)
    want = _numpy(x, kernel, strides, dilation, padding, data_format)
    cotangent = np.random.default_rng(2).normal(size=want.shape).astype("float32")

    def value_and_grads(f):  # one compiled program: eager per-window gradients dispatch slowly
        return jax.jit(jax.value_and_grad(lambda a, b: (f(a, b) * cotangent).sum(),
                                          argnums=(0, 1)))(x, kernel)

    np.testing.assert_allclose(np.asarray(jax.jit(ours)(x, kernel)), want, rtol=1e-4, atol=1e-4)
    grads = [value_and_grads(f)[1] for f in (ours, xla)]
    for got, expected in zip(*grads):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@jax_only
def test_group_sizes_follow_the_byte_budget(monkeypatch):
    """9 windows of 1 KB under a 4 KB budget: three matmuls of 3 windows (balanced, not
    4 + 4 + 1); one matmul when the budget holds them all."""
    import jax

    from keraslite.backends.jax import conv_as_matmul

    x = np.ones((1, 10, 10, 8), "float32")  # 8x8 outputs x 8 channels x 4 bytes = 2 KB/window
    weights = np.ones((9, 8, 2), "float32")
    starts = [(i, j) for i in range(3) for j in range(3)]

    def dots(budget):
        monkeypatch.setattr(conv_as_matmul, "IM2COL_BYTES", budget)
        jaxpr = jax.make_jaxpr(lambda a, w: conv_as_matmul.windows_matmul(
            a, starts, [8, 8], [1, 1], w))(x, weights)
        return [e.invars[1].aval.shape[0] for e in _equations(jaxpr.jaxpr)
                if e.primitive.name == "dot_general"]

    assert dots(4 * 2048) == [24, 24, 24]
    assert dots(9 * 2048) == [72]
    assert dots(0) == [8] * 9



@jax_only
def test_batch_chunks_match_one_matmul_values_and_gradients(monkeypatch):
    """A layer whose windows exceed the budget while one sample's fit runs in chunks of the
    batch (5 samples at 2 per chunk: a loop of two chunks and the remaining sample): the
    same values and gradients as one matmul over all windows, and every matmul takes all
    nine windows (no per-window split)."""
    import jax

    from keraslite.backends.jax import conv_as_matmul

    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 10, 10, 8)).astype("float32")
    weights = rng.normal(size=(9, 8, 4)).astype("float32")
    starts = [(i, j) for i in range(3) for j in range(3)]
    cotangent = rng.normal(size=(5, 8, 8, 4)).astype("float32")
    sample_bytes = 9 * 8 * 8 * 8 * 4

    def run(budget):
        monkeypatch.setattr(conv_as_matmul, "IM2COL_BYTES", budget)

        def f(a, w):
            return conv_as_matmul.windows_matmul(a, starts, [8, 8], [1, 1], w)

        inner = [e.invars[1].aval.shape[0]
                 for e in _equations(jax.make_jaxpr(f)(x, weights).jaxpr)
                 if e.primitive.name == "dot_general"]
        value, grads = jax.jit(jax.value_and_grad(lambda a, w: (f(a, w) * cotangent).sum(),
                                                  argnums=(0, 1)))(x, weights)
        return inner, value, grads

    inner, value, grads = run(2 * sample_bytes)
    assert inner == [72, 72]  # the loop's matmul and the remaining sample's
    _, want_value, want_grads = run(1 << 40)
    np.testing.assert_allclose(value, want_value, rtol=1e-4)
    for got, want in zip(grads, want_grads):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def _equations(jaxpr):
    """The equations of ``jaxpr`` and of the jaxprs nested in them (checkpointed groups)."""
    from jax.extend.core import Jaxpr

    for eqn in jaxpr.eqns:
        yield eqn
        for param in eqn.params.values():
            inner = getattr(param, "jaxpr", param)
            if isinstance(inner, Jaxpr):
                yield from _equations(inner)


@jax_only
def test_split_layers_keep_no_gathered_windows_for_the_backward_pass(monkeypatch):
    """A layer split into groups keeps only its input and kernel for the backward pass, which
    gathers the windows again (VGG16's 224x224 training step kept about 12 GB of them); a
    layer gathered whole keeps its windows (no recomputation where memory is not at stake)."""
    import jax
    from jax._src.ad_checkpoint import saved_residuals

    from keraslite.backends.jax import conv_as_matmul

    x = np.ones((2, 10, 10, 8), "float32")
    weights = np.ones((9, 8, 4), "float32")
    starts = [(i, j) for i in range(3) for j in range(3)]
    window_bytes = 2 * 8 * 8 * 8 * 4

    def kept_bytes(budget):
        monkeypatch.setattr(conv_as_matmul, "IM2COL_BYTES", budget)
        residuals = saved_residuals(lambda a, w: conv_as_matmul.windows_matmul(
            a, starts, [8, 8], [1, 1], w).sum(), x, weights)
        return sum(np.prod(aval.shape) * aval.dtype.itemsize for aval, _ in residuals)

    assert kept_bytes(1 << 40) >= 9 * window_bytes  # one group: its windows are kept
    assert kept_bytes(3 * window_bytes) <= x.nbytes + weights.nbytes  # split: input and kernel


@jax_only
def test_loops_and_gradients_keep_the_matmul_form(monkeypatch):
    """XLA's convolution only where no loop, scan or gradient encloses the op: the training
    loop must never get it (about fifty times slower there)."""
    import jax

    from keraslite.backends.jax import conv_routes

    seen = []
    monkeypatch.setattr(conv_routes, "outside_loops",
                        lambda real=conv_routes.outside_loops: seen.append(real()) or seen[-1])
    x, kernel = _inputs((6, 6), (3, 3), 2, 2, "channels_last")

    def conv(a, b):
        return keraslite.ops.conv(a, b, 1, "same")

    def loop(a, b):
        return jax.lax.fori_loop(0, 2, lambda i, c: conv(c, b), a)

    jax.jit(conv)(x, kernel)
    jax.jit(loop)(x, kernel)
    jax.jit(lambda a, b: jax.lax.scan(lambda c, _: (conv(c, b), None), a, None, 2)[0])(x, kernel)
    jax.jit(jax.grad(lambda a, b: conv(a, b).sum()))(x, kernel)
    assert seen == [True, False, False, False]
    np.testing.assert_allclose(np.asarray(jax.jit(loop)(x, kernel)),
                               np.asarray(conv(conv(x, kernel), kernel)), rtol=1e-4, atol=1e-4)


@jax_only
def test_fit_traces_matmuls_and_predict_xla(monkeypatch):
    """The model-level contract: ``fit``/``evaluate`` steps run in the compiled loop (matmuls),
    ``predict`` one compiled call per batch (XLA's convolution); both give NumPy's values."""
    from keraslite.backends.jax import conv_routes

    seen = []
    real = conv_routes.outside_loops
    monkeypatch.setattr(conv_routes, "outside_loops", lambda: seen.append(real()) or seen[-1])
    x, kernel = _inputs((8, 8), (3, 3), 3, 2, "channels_last")
    model = keraslite.Sequential([keraslite.Input((8, 8, 3)),
                                  keraslite.layers.Conv2D(2, 3, use_bias=False)])
    model.layers[0].kernel.assign(kernel)
    got = model.predict(x, verbose=0)
    assert seen and all(seen)
    np.testing.assert_allclose(got, _numpy(x, kernel, 1, 1, "valid", "channels_last"),
                               rtol=1e-4, atol=1e-4)
    seen.clear()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros_like(got), epochs=1, verbose=0)
    assert seen and not any(seen)
