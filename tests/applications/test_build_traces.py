"""Building a functional graph of merges and global pooling traces nothing when no input carries
a mask (application builds call hundreds of them), while masks are still described."""
import pytest

import keraslite as kl
from keraslite.layers import layer as layer_module


@pytest.fixture
def traces(monkeypatch):
    calls = []
    original = layer_module.core.compute_output_spec

    def counting(fn, args, kwargs):
        calls.append(fn)
        return original(fn, args, kwargs)

    monkeypatch.setattr(layer_module.core, "compute_output_spec", counting)
    return calls


def test_merges_without_masks_trace_nothing(traces):
    x = kl.Input((8, 8, 3))
    a = kl.layers.Conv2D(4, 1)(x)
    b = kl.layers.Conv2D(4, 1)(x)
    y = kl.layers.Concatenate()([a, b])
    y = kl.layers.Add()([y, kl.layers.Conv2D(8, 1)(x)])
    y = kl.layers.GlobalAveragePooling2D()(y)
    assert traces == []
    assert getattr(y, "_keras_mask", None) is None
    assert kl.Model(x, y).output_shape == (None, 8)


def test_an_overridden_compute_mask_is_still_described(traces):
    class Marking(kl.layers.Concatenate):
        def compute_mask(self, inputs, previous_mask=None):
            return kl.ops.ones(kl.ops.shape(inputs[0])[:-1], dtype="bool")

    x = kl.Input((5, 2))
    y = Marking()([x, x])
    assert traces
    assert tuple(y._keras_mask.shape) == (None, 5)


def test_input_masks_still_merge():
    tokens = kl.Input((6,), dtype="int32")
    a = kl.layers.Embedding(10, 3, mask_zero=True)(tokens)
    b = kl.layers.Embedding(10, 3)(tokens)
    y = kl.layers.Concatenate()([a, b])
    assert tuple(y._keras_mask.shape) == (None, 6)
