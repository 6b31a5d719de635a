"""The ops added for issue 16's second batch against NumPy and, where NumPy has no such
function, Keras 3 on the same backend (the oracle)."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest

import keraslite
from keraslite import ops

os.environ.setdefault("KERAS_BACKEND", keraslite.backend.backend())
import keras  # noqa: E402
from tests.layers.oracle_guard import oracle  # noqa: E402

rng = np.random.default_rng(3)
X = rng.normal(size=(3, 8)).astype("float32")
XN = X.copy()
XN[0, 2] = XN[2, 5] = np.nan
IMG = rng.normal(size=(2, 6, 8, 4)).astype("float32")


def n(x):
    if isinstance(x, (list, tuple)):
        return type(x)(n(v) for v in x)
    return np.asarray(ops.convert_to_numpy(x))


def k(x):
    if isinstance(x, (list, tuple)):
        return type(x)(k(v) for v in x)
    return np.asarray(keras.ops.convert_to_numpy(x))


NUMPY_CASES = [
    ("nansum", lambda m: m.nansum(XN, axis=1)), ("nanmean", lambda m: m.nanmean(XN, axis=0)),
    ("nanvar", lambda m: m.nanvar(XN, axis=1)), ("nanstd", lambda m: m.nanstd(XN)),
    ("nanmax", lambda m: m.nanmax(XN, axis=1)), ("nanmin", lambda m: m.nanmin(XN, axis=0)),
    ("nanprod", lambda m: m.nanprod(XN, axis=1)), ("nanargmax", lambda m: m.nanargmax(XN, 1)),
    ("nanargmin", lambda m: m.nanargmin(XN, 1)), ("nancumsum", lambda m: m.nancumsum(XN, 1)),
    ("nancumprod", lambda m: m.nancumprod(XN, 1)),
    ("median", lambda m: m.median(X, axis=1)), ("nanmedian", lambda m: m.nanmedian(XN, axis=1)),
    ("quantile", lambda m: m.quantile(X, np.array([0.1, 0.5, 0.9]), axis=1, keepdims=True)),
    ("quantile_lower", lambda m: m.quantile(X, 0.3, axis=0, method="lower")),
    ("quantile_mid", lambda m: m.quantile(X, 0.3, method="midpoint")),
    ("nanpercentile", lambda m: m.nanpercentile(XN, 40.0, axis=1)),
    ("percentile", lambda m: m.percentile(X, 75.0, axis=(0, 1))),
    ("average", lambda m: m.average(X, axis=1, weights=np.arange(1.0, 9.0))),
    ("corrcoef", lambda m: m.corrcoef(X)), ("kron", lambda m: m.kron(X[:2, :3], X[:3, :2])),
    ("cross", lambda m: m.cross(X[:, :3], X[:, 3:6])), ("diff", lambda m: m.diff(X, 2, 0)),
    ("trapezoid", lambda m: m.trapezoid(X, dx=0.5)),
    ("trapezoid_x", lambda m: m.trapezoid(X, x=np.sort(X[0]))),
    ("vander", lambda m: m.vander(X[0, :4], 3)), ("fmod", lambda m: m.fmod(X * 3, 0.7)),
    ("ldexp", lambda m: m.ldexp(X, np.arange(8, dtype="int32"))),
    ("i0", lambda m: m.i0(X)), ("logspace", lambda m: m.logspace(0.0, 2.0, 5)),
    ("geomspace", lambda m: m.geomspace(1.0, 1000.0, 4)),
    ("correlate", lambda m: m.correlate(X[0], X[1, :3], mode="same")),
    ("correlate_full", lambda m: m.correlate(X[0], X[1, :3], mode="full")),
    ("select", lambda m: m.select([X > 1, X < -1], [X, -X], 7.0)),
    ("isin", lambda m: m.isin(np.arange(6), np.array([1, 4, 9]))),
    ("searchsorted", lambda m: m.searchsorted(np.sort(X[0]), X[1], side="right")),
    ("digitize", lambda m: m.digitize(X[1], np.sort(X[0]))),
    ("bincount", lambda m: m.bincount(np.array([0, 3, 3, 1]), minlength=6)),
    ("bincount_w", lambda m: m.bincount(np.array([0, 3, 3, 1]), X[0, :4])),
    ("bitwise_and", lambda m: m.bitwise_and(np.arange(8), 5)),
    ("bitwise_xor", lambda m: m.bitwise_xor(np.arange(8), np.arange(8)[::-1].copy())),
    ("bitwise_or", lambda m: m.bitwise_or(np.arange(8), 9)),
    ("invert", lambda m: m.invert(np.arange(-3, 5)) if m is np else m.bitwise_invert(
        np.arange(-3, 5))),
    ("left_shift", lambda m: m.left_shift(np.arange(8), 2)),
    ("right_shift", lambda m: m.right_shift(np.arange(8) * 9, 1)),
    ("gcd", lambda m: m.gcd(np.array([12, -18, 7, 0]), np.array([8, 24, 0, 5]))),
    ("lcm", lambda m: m.lcm(np.array([4, -6, 7, 0]), np.array([6, 4, 3, 5]))),
    ("unravel", lambda m: m.unravel_index(np.array([3, 17, 22]), (4, 6))),
    ("angle", lambda m: m.angle(X)), ("unique", lambda m: m.unique(np.array([3, 1, 3, 2, 1]))),
    ("hamming", lambda m: m.hamming(7)), ("kaiser", lambda m: m.kaiser(6, 2.5)),
    ("blackman", lambda m: m.blackman(5)), ("bartlett", lambda m: m.bartlett(6)),
    ("hanning", lambda m: m.hanning(6)), ("nextafter", lambda m: m.nextafter(X, 0.0)),
    ("erfc", lambda m: m.erfc(X) if m is ops else np.vectorize(math.erfc)(X)),
]


@pytest.mark.parametrize("name,call", NUMPY_CASES, ids=[c[0] for c in NUMPY_CASES])
def test_matches_numpy(name, call):
    mine, ref = n(call(ops)), call(np)
    if isinstance(ref, tuple):
        for a, b in zip(mine, ref):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(mine, ref, rtol=1e-5, atol=1e-5)


def test_histogram_unique_and_complex():
    counts, edges = ops.histogram(X, bins=4)
    ref_counts, ref_edges = np.histogram(X, bins=4)
    np.testing.assert_array_equal(n(counts), ref_counts)
    np.testing.assert_allclose(n(edges), ref_edges, rtol=1e-5)
    u, idx, inv, cnt = ops.unique(np.array([3, 1, 3, 2]), return_index=True,
                                  return_inverse=True, return_counts=True)
    for a, b in zip((u, idx, inv, cnt), np.unique(np.array([3, 1, 3, 2]), True, True, True)):
        np.testing.assert_array_equal(n(a), b)
    z = ops.view_as_complex(np.stack([X, X[::-1]], -1))
    np.testing.assert_allclose(n(ops.real(z)), X)
    np.testing.assert_allclose(n(ops.imag(ops.conj(z))), -X[::-1])
    np.testing.assert_allclose(n(ops.view_as_real(z)), np.stack([X, X[::-1]], -1))
    np.testing.assert_allclose(n(ops.angle(z)), np.angle(X + 1j * X[::-1]), atol=1e-6)
    np.testing.assert_allclose(n(ops.polar(np.abs(X), X)), np.abs(X) * np.exp(1j * X),
                               atol=1e-5)


def test_fft_family_matches_numpy():
    re, im = X, X[::-1].copy()
    z = re + 1j * im
    for mine, ref in [(ops.fft((re, im)), np.fft.fft(z)), (ops.fft2((re, im)), np.fft.fft2(z)),
                      (ops.ifft2((re, im)), np.fft.ifft2(z)), (ops.rfft(X), np.fft.rfft(X)),
                      (ops.rfft(X, 12), np.fft.rfft(X, 12))]:
        np.testing.assert_allclose(n(mine[0]) + 1j * n(mine[1]), ref, atol=1e-4)
    spec = np.fft.rfft(X)
    np.testing.assert_allclose(n(ops.irfft((spec.real, spec.imag))), X, atol=1e-5)
    signal = rng.normal(size=(2, 64)).astype("float32")
    spec = ops.stft(signal, 16, 4, 16)
    np.testing.assert_allclose(n(ops.istft(spec, 16, 4, 16, length=64)), signal, atol=1e-4)
    theirs = oracle(keras.ops.stft, signal, 16, 4, 16)
    np.testing.assert_allclose(n(spec[0]), k(theirs[0]), atol=1e-4)
    np.testing.assert_allclose(n(spec[1]), k(theirs[1]), atol=1e-4)


KERAS_NN = [
    ("celu", (X,), {"alpha": 0.7}), ("glu", (X,), {}), ("hard_tanh", (X * 2,), {}),
    ("hard_shrink", (X,), {}), ("soft_shrink", (X,), {"threshold": 0.3}),
    ("tanh_shrink", (X,), {}), ("squareplus", (X,), {"b": 2}),
    ("sparse_plus", (X * 2,), {}), ("sparse_sigmoid", (X * 2,), {}),
    ("threshold", (X, 0.2, -1.0), {}), ("normalize", (X,), {"order": 1}),
    ("layer_normalization", (X,), {"gamma": X[0], "beta": X[1]}),
    ("rms_normalization", (X,), {"scale": X[0]}), ("psnr", (X, X * 0.9, 2.0), {}),
    ("depth_to_space", (IMG, 2), {}), ("space_to_depth", (IMG, 2), {}),
    ("unfold", (np.moveaxis(IMG, -1, 1), 3), {"padding": 1, "stride": 2}),
    ("adaptive_average_pool", (IMG, (4, 3)), {}), ("adaptive_max_pool", (IMG, (4, 3)), {}),
]


@pytest.mark.parametrize("name,args,kwargs", KERAS_NN, ids=[c[0] for c in KERAS_NN])
def test_nn_matches_keras(name, args, kwargs):
    mine = n(getattr(ops.nn, name)(*args, **kwargs))
    # Keras's tensors as its inputs (its TF adaptive pooling reads tensor-only shape methods)
    kt = [keras.ops.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    theirs = k(oracle(getattr(keras.ops.nn, name), *kt, **kwargs))
    assert mine.shape == theirs.shape
    np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-4)


def test_sparsemax_matches_the_closed_form():
    # Keras 3.15's sparsemax gives rows that do not sum to 1 here, so NumPy is the reference:
    # the projection onto the simplex (Martins & Astudillo 2016, eq. 2-3)
    def reference(z):
        s = np.sort(z)[::-1]
        c = np.cumsum(s)
        k = np.arange(1, len(z) + 1)
        top = k[1 + k * s > c].max()
        return np.maximum(z - (c[top - 1] - 1) / top, 0)

    out = n(ops.sparsemax(X * 3))
    np.testing.assert_allclose(out, np.stack([reference(r) for r in X * 3]), atol=1e-5)
    np.testing.assert_allclose(out.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(n(ops.sparsemax((X * 3).T, axis=0)), out.T, atol=1e-6)


def test_fold_is_the_adjoint_of_unfold():
    x = np.moveaxis(IMG, -1, 1)
    cols = n(ops.unfold(x, 3, padding=1, stride=2))
    y = rng.normal(size=cols.shape).astype("float32")
    back = n(ops.fold(y, (6, 8), 3, padding=1, stride=2))
    np.testing.assert_allclose((cols * y).sum(), (x * back).sum(), rtol=1e-4)
    theirs = k(oracle(keras.ops.nn.fold, y, (6, 8), 3, padding=1, stride=2))
    np.testing.assert_allclose(back, theirs, atol=1e-4)


def _brute_ctc(logp, labels):
    steps, classes = logp.shape
    import itertools
    total = -np.inf
    for path in itertools.product(range(classes), repeat=steps):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != 0] == list(labels):
            total = np.logaddexp(total, sum(logp[t, c] for t, c in enumerate(path)))
    return total


def test_ctc_loss_and_decode():
    logits = rng.normal(size=(2, 5, 3)).astype("float32")
    target = np.array([[1, 2], [1, 1]], "int32")
    loss = n(ops.ctc_loss(target, logits, np.array([2, 2]), np.array([5, 4])))
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = [-_brute_ctc(logp[0], [1, 2]), -_brute_ctc(logp[1, :4], [1, 1])]
    np.testing.assert_allclose(loss, expected, rtol=1e-4)
    decoded, scores = ops.ctc_decode(logits, np.array([5, 4]))
    theirs = oracle(keras.ops.ctc_decode, logits, np.array([5, 4]))
    np.testing.assert_array_equal(n(decoded), k(theirs[0]))
    np.testing.assert_allclose(n(scores), k(theirs[1]), rtol=1e-4)
    decoded, scores = ops.ctc_decode(logits, np.array([5, 4]), "beam_search", beam_width=50,
                                     top_paths=2)
    best = n(decoded)[0, 0]
    best = list(best[best >= 0])
    np.testing.assert_allclose(n(scores)[0, 0], _brute_ctc(logp[0], best), rtol=1e-4)
    theirs = oracle(keras.ops.ctc_decode, logits, np.array([5, 4]), "beam_search",
                    beam_width=50, top_paths=2)
    np.testing.assert_array_equal(n(decoded), k(theirs[0]))
    np.testing.assert_allclose(n(scores), k(theirs[1]), rtol=1e-4)


def test_control_flow_and_casts():
    xs = X
    np.testing.assert_allclose(n(ops.map(lambda r: ops.sum(r * 2), xs)), (xs * 2).sum(1),
                               rtol=1e-5)
    np.testing.assert_allclose(n(ops.switch(1, [lambda a: a + 1, lambda a: a * 3], xs)), xs * 3)
    np.testing.assert_allclose(n(ops.vectorized_map(lambda r: ops.max(r), xs)), xs.max(1))
    np.testing.assert_allclose(n(ops.associative_scan(ops.add, xs, axis=1)), np.cumsum(xs, 1),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(n(ops.associative_scan(ops.add, xs, reverse=True)),
                               np.cumsum(xs[::-1], 0)[::-1], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(n(ops.saturate_cast(np.array([-300.0, 5.5, 300.0]), "uint8")),
                                  [0, 5, 255])
    np.testing.assert_array_equal(n(ops.view(X, "int32")), X.view("int32"))
    np.testing.assert_allclose(n(ops.segment_min(X[0], np.array([0, 0, 1, 1, 1, 2, 2, 2]))),
                               [X[0, :2].min(), X[0, 2:5].min(), X[0, 5:].min()])
    np.testing.assert_allclose(n(ops.segment_prod(X[0], np.array([0, 0, 1, 1, 1, 2, 2, 2]))),
                               [X[0, :2].prod(), X[0, 2:5].prod(), X[0, 5:].prod()], rtol=1e-5)
    np.testing.assert_array_equal(n(ops.rearrange(IMG, "b h w c -> b c (h w)")),
                                  IMG.transpose(0, 3, 1, 2).reshape(2, 4, 48))

    @ops.custom_gradient
    def clipped(x):
        def grad(upstream):
            return ops.clip(upstream, -0.5, 0.5)
        return x * 1.0, grad

    from keraslite import backend as B
    if B.backend() == "jax":
        import jax
        g = jax.grad(lambda v: ops.sum(clipped(v) * 3.0))(X[0])
    else:
        import tensorflow as tf
        v = tf.constant(X[0])
        with tf.GradientTape() as tape:
            tape.watch(v)
            out = ops.sum(clipped(v) * 3.0)
        g = tape.gradient(out, v)
    np.testing.assert_allclose(n(g), np.full(8, 0.5))


def test_attention_soft_cap_matches_numpy():
    # Keras computes the soft cap only on TPUs, so NumPy is the reference
    q = rng.normal(size=(1, 4, 2, 8)).astype("float32") * 3
    mine = n(ops.dot_product_attention(q, q, q, attn_logits_soft_cap=2.0, is_causal=True))
    logits = np.einsum("btnh,bsnh->bnts", q, q) / np.sqrt(8)
    logits = 2.0 * np.tanh(logits / 2.0)
    logits = np.where(np.tril(np.ones((4, 4), bool)), logits, -np.inf)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    np.testing.assert_allclose(mine, np.einsum("bnts,bsnh->btnh", probs, q), atol=1e-5)
    plain = n(ops.dot_product_attention(q, q, q, flash_attention=False))
    np.testing.assert_allclose(plain, k(oracle(keras.ops.dot_product_attention, q, q, q)),
                               atol=1e-5)


@pytest.mark.parametrize("call,words", [
    (lambda: ops.quantile(X, 0.5, method="cubic"), ["`method`", "'cubic'"]),
    (lambda: ops.bitwise_and(X, 1), ["`x`", "float32"]),
    (lambda: ops.glu(X[:, :7]), ["even", "(3, 7)"]),
    (lambda: ops.depth_to_space(IMG, 3), ["block_size**2", "4"]),
    (lambda: ops.adaptive_max_pool(IMG, (2, 0)), ["`output_size`"]),
    (lambda: ops.ctc_decode(X, [8, 8]), ["`inputs`", "(3, 8)"]),
    (lambda: ops.diff(X, -1), ["`n`", "-1"]),
    (lambda: ops.correlate(X[0], X[1], mode="wide"), ["`mode`", "'wide'"]),
    (lambda: ops.histogram(X, bins=0), ["`bins`", "0"]),
    (lambda: ops.rearrange(IMG, "b h w -> b w h"), ["left side", "3 axes"]),
    (lambda: ops.view(X, "int8"), ["`dtype`", "int8"]),
    (lambda: ops.dot_product_attention(IMG, IMG, IMG, flash_attention=True),
     ["`flash_attention`"]),
])
def test_bad_input_names_the_argument(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    for w in words:
        assert w in str(info.value), str(info.value)


def test_remaining_numpy_names():
    np.testing.assert_allclose(n(ops.vectorize(lambda a, b: a * b + 1)(X[0], X[1])),
                               X[0] * X[1] + 1, rtol=1e-6)
    np.testing.assert_array_equal(n(ops.isreal(X)), np.isreal(X))
    z = ops.view_as_complex(np.stack([X, np.where(X > 0, 0.0, X)], -1))
    np.testing.assert_array_equal(n(ops.isreal(z)), X > 0)
    part = n(ops.argpartition(X[0], 3))
    chosen = X[0][part]
    assert (chosen[:3] <= chosen[3]).all() and (chosen[4:] >= chosen[3]).all()
    np.testing.assert_allclose(
        n(ops.cdist(X[:2], X)), np.sqrt(((X[:2, None] - X[None]) ** 2).sum(-1)), rtol=1e-5)
    np.testing.assert_array_equal(n(ops.unique(np.array([4, 1, 4]), size=4, fill_value=-1)),
                                  [1, 4, -1, -1])


def test_symbolic_shapes():
    from keraslite.ops.keras_tensor import KerasTensor

    x = KerasTensor((None, 8))
    assert tuple(ops.glu(x).shape) == (None, 4)
    assert tuple(ops.quantile(x, 0.5, axis=1).shape) == (None,)
    assert tuple(ops.depth_to_space(KerasTensor((None, 4, 4, 8)), 2).shape) == (None, 8, 8, 2)
    assert [tuple(t.shape) for t in ops.rfft(x)] == [(None, 5), (None, 5)]
    loss = ops.ctc_loss(KerasTensor((None, 3), "int32"), KerasTensor((None, 6, 5)),
                        KerasTensor((None,), "int32"), KerasTensor((None,), "int32"))
    assert tuple(loss.shape) == (None,)
