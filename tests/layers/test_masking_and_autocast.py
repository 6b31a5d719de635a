"""Mask propagation through models, and mixed precision autocasting of variables."""
import numpy as np

import keraslite
from keraslite import layers, ops


class ZeroMask(layers.Layer):
    """Marks time steps whose features are all zero as padding (like Masking)."""

    def call(self, x):
        return x

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, 0), axis=-1)


class Scale(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # passes the mask on unchanged

    def call(self, x):
        return x * 2.0


class MaskedMean(layers.Layer):
    def call(self, x, mask=None):
        if mask is None:
            return ops.mean(x, axis=1)
        weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        return ops.sum(x * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)


def data():
    x = np.random.rand(4, 5, 3).astype("float32")
    x[0, 3:] = 0
    x[2, 1:] = 0
    keep = np.any(x != 0, axis=-1)[..., None]
    expected = (2 * x * keep).sum(1) / keep.sum(1)
    return x, expected


def test_mask_flows_through_sequential_and_functional_models():
    x, expected = data()
    seq = keraslite.Sequential([keraslite.Input((5, 3)), ZeroMask(), Scale(), MaskedMean()])
    np.testing.assert_allclose(seq.predict(x, verbose=0), expected, atol=1e-6)
    inp = keraslite.Input((5, 3))
    func = keraslite.Model(inp, MaskedMean()(Scale()(ZeroMask()(inp))))
    np.testing.assert_allclose(func.predict(x, verbose=0), expected, atol=1e-6)


def test_mask_flows_through_subclassed_model_and_stops_at_non_masking_layers():
    x, expected = data()

    class Net(keraslite.Model):
        def __init__(self):
            super().__init__()
            self.mask = ZeroMask()
            self.scale = Scale()
            self.mean = MaskedMean()

        def call(self, x):
            return self.mean(self.scale(self.mask(x)))

    np.testing.assert_allclose(Net().predict(x, verbose=0), expected, atol=1e-6)
    # A layer without masking support stops the mask.
    class Blocker(layers.Layer):
        def call(self, t):
            return t * 2.0

    model = keraslite.Sequential([keraslite.Input((5, 3)), ZeroMask(), Blocker(), MaskedMean()])
    np.testing.assert_allclose(model.predict(x, verbose=0), (2 * x).mean(1), atol=1e-6)


def test_mixed_precision_reads_variables_in_compute_dtype_and_keeps_float32_weights():
    class Plain(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")

        def call(self, x):
            return ops.matmul(x, self.w)

    layer = Plain(dtype="mixed_bfloat16")
    out = layer(np.ones((2, 3), "float32"))
    assert ops.dtype(out) == "bfloat16"
    assert layer.w.dtype == "float32"
    np.testing.assert_allclose(np.asarray(ops.cast(out, "float32")), np.full((2, 2), 3.0))
