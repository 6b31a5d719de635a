"""JAX on CPU runs depthwise convolutions as sums of channel-scaled windows
(keraslite/backends/jax/depthwise_taps.py) instead of XLA's grouped convolution, which is
tens of times slower inside the compiled training loop. The values and both gradients must be
those of XLA's own grouped convolution (``jax.lax.conv_general_dilated``), the reference here,
for every stride, dilation, padding, depth multiplier, rank and data format."""
from __future__ import annotations

import numpy as np
import pytest

import keraslite

pytestmark = pytest.mark.skipif(keraslite.backend.backend() != "jax",
                                reason="the depthwise path of the JAX backend on CPU")

CASES = [  # (spatial, window, multiplier, strides, dilation, padding, data_format)
    ((9, 8), (3, 3), 1, 1, 1, "same", "channels_last"),
    ((9, 8), (3, 3), 2, 2, 1, "same", "channels_last"),
    ((10, 9), (5, 5), 1, 2, 1, "valid", "channels_last"),
    ((11, 11), (3, 3), 1, 1, 2, "same", "channels_last"),
    ((8, 7), (3, 2), 3, (2, 1), 1, "valid", "channels_first"),
    ((13,), (4,), 2, 1, 1, "same", "channels_last"),
    ((13,), (3,), 1, 2, 3, "valid", "channels_first"),
]


def _reference(jax, x, kernel, strides, dilation, padding, data_format):
    from keraslite.backends.common import conv_utils

    n = x.ndim - 2
    spatial = conv_utils.spatial_shape(x.shape, data_format)
    strides = conv_utils.tuplify(strides, n, "strides")
    dilation = conv_utils.tuplify(dilation, n, "dilation_rate")
    flat = kernel.reshape(kernel.shape[:-2] + (1, -1))
    pads = conv_utils.padding_amounts(spatial, flat.shape[:-2], strides, dilation, padding)
    letters = "DHW"[-n:]
    lhs = "N" + letters + "C" if data_format == "channels_last" else "NC" + letters
    channels = x.shape[-1] if data_format == "channels_last" else x.shape[1]
    return jax.lax.conv_general_dilated(
        x, flat, strides, pads, rhs_dilation=dilation, dimension_numbers=(lhs, letters + "IO", lhs),
        feature_group_count=channels)


@pytest.fixture(autouse=True)
def _windowed_path_for_small_inputs(monkeypatch):
    """Small inputs keep XLA's convolution (compile time); these cases take the windows."""
    from keraslite.backends.jax import depthwise_taps

    monkeypatch.setattr(depthwise_taps, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(depthwise_taps, "LARGE_WINDOW_MIN_ELEMENTS", 0)


@pytest.mark.parametrize("spatial,window,multiplier,strides,dilation,padding,data_format", CASES)
def test_values_and_gradients_match_xla_grouped_convolution(
        spatial, window, multiplier, strides, dilation, padding, data_format):
    jax = pytest.importorskip("jax")
    rng = np.random.default_rng(0)
    channels = 4
    shape = ((2,) + spatial + (channels,) if data_format == "channels_last"
             else (2, channels) + spatial)
    x = rng.normal(size=shape).astype("float32")
    kernel = rng.normal(size=window + (channels, multiplier)).astype("float32")

    def ours(x, kernel):
        return keraslite.ops.depthwise_conv(x, kernel, strides, padding, data_format, dilation)

    def reference(x, kernel):
        return _reference(jax, x, kernel, strides, dilation, padding, data_format)

    np.testing.assert_allclose(ours(x, kernel), reference(x, kernel), rtol=1e-5, atol=1e-5)
    cotangent = rng.normal(size=np.shape(reference(x, kernel))).astype("float32")
    grads = [jax.grad(lambda a, b: (f(a, b) * cotangent).sum(), argnums=(0, 1))(x, kernel)
             for f in (ours, reference)]
    for got, want in zip(*grads):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_the_taps_path_is_the_one_taken_on_cpu(monkeypatch):
    """The comparison above must exercise the new path, not XLA's convolution twice."""
    pytest.importorskip("jax")
    from keraslite.backends.jax import depthwise_taps

    calls = []
    original = depthwise_taps.conv_channels_last
    monkeypatch.setattr(depthwise_taps, "conv_channels_last",
                        lambda *a: calls.append(1) or original(*a))
    x = np.ones((1, 5, 5, 3), "float32")
    keraslite.ops.depthwise_conv(x, np.ones((3, 3, 3, 1), "float32"), 1, "same")
    assert calls == [1]


def test_small_inputs_keep_xla_convolution(monkeypatch):
    pytest.importorskip("jax")
    from keraslite.backends.jax import depthwise_taps

    monkeypatch.setattr(depthwise_taps, "MIN_ELEMENTS", 76)  # one element more than 1x5x5x3
    calls = []
    original = depthwise_taps.conv_channels_last
    monkeypatch.setattr(depthwise_taps, "conv_channels_last",
                        lambda *a: calls.append(1) or original(*a))
    x = np.ones((1, 5, 5, 3), "float32")
    out = keraslite.ops.depthwise_conv(x, np.ones((3, 3, 3, 1), "float32"), 1, "same")
    assert calls == [] and float(np.asarray(out)[0, 2, 2, 0]) == 9.0


def test_windows_larger_than_3x3_need_a_larger_input(monkeypatch):
    pytest.importorskip("jax")
    from keraslite.backends.jax import depthwise_taps

    monkeypatch.setattr(depthwise_taps, "MIN_ELEMENTS", 64)
    monkeypatch.setattr(depthwise_taps, "LARGE_WINDOW_MIN_ELEMENTS", 1024)
    calls = []
    original = depthwise_taps.conv_channels_last
    monkeypatch.setattr(depthwise_taps, "conv_channels_last",
                        lambda *a: calls.append(a[1].shape[:2]) or original(*a))
    x = np.random.default_rng(1).normal(size=(2, 8, 8, 3)).astype("float32")  # 384 elements
    for window in (3, 5):
        kernel = np.random.default_rng(window).normal(size=(window, window, 3, 1))
        out = keraslite.ops.depthwise_conv(x, kernel.astype("float32"), 1, "valid")
        # Either route computes the same depthwise convolution (NumPy reference).
        side = 8 - window + 1
        expected = np.zeros((2, side, side, 3))
        for i in range(window):
            for j in range(window):
                expected += x[:, i:i + side, j:j + side, :] * kernel[i, j, :, 0]
        np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-4, atol=1e-4)
    assert calls == [(3, 3)]  # the 5x5 window kept XLA's convolution at this size
