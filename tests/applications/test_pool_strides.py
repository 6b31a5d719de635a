"""Pooling with strides larger than the window (ResNetV2's MaxPooling2D(1, strides=2)
shortcut), against NumPy, on the active backend."""
import numpy as np
import pytest

from keraslite import layers, ops


def _numpy_pool(x, size, stride, reduce):
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, oh, ow, c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride:i * stride + size, j * stride:j * stride + size]
            out[:, i, j] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize("size,stride", [(1, 2), (2, 3), (1, 3)])
def test_pool_stride_larger_than_window(size, stride):
    x = np.random.default_rng(0).normal(size=(2, 9, 8, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(ops.max_pool(x, size, stride)),
                               _numpy_pool(x, size, stride, np.max), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ops.average_pool(x, size, stride)),
                               _numpy_pool(x, size, stride, np.mean), rtol=1e-5, atol=1e-6)
    layer_out = layers.MaxPooling2D(size, strides=stride)(x)
    np.testing.assert_allclose(np.asarray(layer_out), _numpy_pool(x, size, stride, np.max))
