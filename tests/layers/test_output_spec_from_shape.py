"""Layers flagged ``output_spec_from_shape`` answer symbolic calls from ``compute_output_shape``
without tracing ``call``: their answer must equal the traced one (shape and dtype), including
unknown dims and a mixed-precision policy; a user subclass that overrides ``call`` is traced."""
import numpy as np
import pytest

import keraslite as kl
from keraslite import layers
from keraslite.ops.keras_tensor import KerasTensor

CASES = [
    (lambda: layers.Conv2D(4, 3, strides=2, padding="same"), (None, 9, 7, 3)),
    (lambda: layers.Conv2D(4, (3, 2), dilation_rate=2, data_format="channels_first"),
     (2, 3, 11, None)),
    (lambda: layers.Conv1D(5, 4, padding="causal", strides=3), (None, None, 2)),
    (lambda: layers.Conv3D(2, 2, strides=(1, 2, 2)), (1, 5, 6, 7, 2)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2), (None, 8, 9, 3)),
    (lambda: layers.DepthwiseConv1D(2, padding="same"), (2, 7, 3)),
    (lambda: layers.SeparableConv2D(4, 3, padding="same", strides=2), (None, 7, 7, 2)),
    (lambda: layers.SeparableConv1D(3, 2), (2, 6, 4)),
    (lambda: layers.BatchNormalization(axis=1), (None, 3, 4)),
    (lambda: layers.Dense(6), (None, 5, 4)),
    (lambda: layers.Dense(2), (3, 4)),
    (lambda: layers.ReLU(6.0), (None, 4)),
    (lambda: layers.Dropout(0.3, noise_shape=(None, 1, 1, 2)), (None, 3, 3, 2)),
    (lambda: layers.ZeroPadding2D(((1, 2), (0, 3))), (None, 4, 5, 2)),
    (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (None, 9, 8, 2)),
    (lambda: layers.AveragePooling1D(2, data_format="channels_first"), (2, 3, 7)),
    (lambda: layers.MaxPooling3D(2), (1, 4, None, 4, 2)),
    (lambda: layers.GlobalAveragePooling2D(keepdims=True), (None, 3, 4, 5)),
    (lambda: layers.GlobalMaxPooling1D(data_format="channels_first"), (2, 3, None)),
    (lambda: layers.Activation("swish"), (None, 3, 4)),
    (lambda: layers.Activation("softmax"), (2, None)),
    (lambda: layers.Activation("hard_swish"), (None, 5)),
    (lambda: layers.Add(), [(None, 3, 4), (None, 3, 4)]),
    (lambda: layers.Add(), [(None, 3, 4), (None, 1, 4), (None, 4)]),
    (lambda: layers.Multiply(), [(None, 2, 2, 6), (None, 1, 1, 6)]),
    (lambda: layers.Subtract(), [(None, 4, 3), (None, 1, 3)]),
    (lambda: layers.Average(), [(None, 3), (None, 3)]),
    (lambda: layers.Maximum(), [(1, 3), (None, 3)]),
    (lambda: layers.Minimum(), [(None, 3, 1), (None, 3, 5)]),
    (lambda: layers.Concatenate(), [(None, 4, 4, 3), (None, 4, 4, 5)]),
    (lambda: layers.Concatenate(axis=1), [(2, 3, 6), (2, 2, 6)]),
    (lambda: layers.Reshape((1, 1, -1)), (None, 6)),
    (lambda: layers.Reshape((3, -1)), (2, 4, 3)),
    (lambda: layers.Reshape((2, 2)), (None, 4)),
    (lambda: layers.Flatten(), (None, 3, 4, 2)),
    (lambda: layers.Flatten(data_format="channels_first"), (2, 3, None)),
    (lambda: layers.Cropping2D(((1, 0), (2, 1))), (None, 5, 6, 2)),
    (lambda: layers.Cropping1D(1), (2, None, 3)),
    (lambda: layers.LayerNormalization(epsilon=1e-6), (None, 3, 4)),
    (lambda: layers.LayerNormalization(axis=(1, 2), rms_scaling=True), (2, 3, 4)),
    (lambda: layers.LayerScale(1e-6, 4), (None, 3, 4)),
    (lambda: layers.CustomScaleLayer(0.2), [(None, 3, 4), (None, 3, 4)]),
    (lambda: layers.Rescaling(1.0 / 255, offset=-1.0), (None, 4, 3)),
]


def _specs(shape):
    """One float32 KerasTensor for a shape, a list of them for a list of shapes."""
    if isinstance(shape, list):
        return [KerasTensor(s, "float32") for s in shape]
    return KerasTensor(shape, "float32")


def _concrete(shape):
    if isinstance(shape, list):
        return [_concrete(s) for s in shape]
    return np.ones([5 if d is None else d for d in shape], "float32")


def _traced(layer, spec):
    layer.output_spec_from_shape = False  # this instance takes the general (traced) path
    try:
        return layer.compute_output_spec(spec)
    finally:
        del layer.output_spec_from_shape


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
@pytest.mark.parametrize("make,shape", CASES, ids=[str(i) for i in range(len(CASES))])
def test_shape_answer_equals_traced_answer(make, shape, policy):
    previous = kl.mixed_precision.dtype_policy().name
    kl.mixed_precision.set_global_policy(policy)
    try:
        layer = make()
        assert type(layer).output_spec_from_shape
        spec = _specs(shape)
        layer._maybe_build(spec)
        fast, traced = layer.compute_output_spec(spec), _traced(layer, spec)
        assert isinstance(fast, KerasTensor) and isinstance(traced, KerasTensor)
        assert fast.dtype == traced.dtype
        # A dim the trace knows, the shape answer knows alike; the shape answer may know more
        # (TensorFlow's trace loses some through transposes), checked against a real call.
        assert len(fast.shape) == len(traced.shape)
        assert all(t is None or f == t for f, t in zip(fast.shape, traced.shape))
        if policy == "float32":  # (TensorFlow's CPU has no float16 kernel for some pooling)
            real = kl.ops.convert_to_numpy(layer(_concrete(shape))).shape
            assert len(real) == len(fast.shape)
            assert all(f is None or f == r for f, r in zip(fast.shape, real)), (fast.shape, real)
        out = layer(_specs(shape))
        assert (out.shape, out.dtype) == (fast.shape, fast.dtype)
    finally:
        kl.mixed_precision.set_global_policy(previous)


def test_a_subclass_overriding_call_is_traced():
    class FirstTwo(layers.Dense):
        def call(self, inputs):
            return super().call(inputs)[..., :2]

    out = FirstTwo(5)(KerasTensor((None, 3), "float32"))
    assert out.shape == (None, 2)
    x = np.ones((4, 3), "float32")
    assert kl.ops.convert_to_numpy(FirstTwo(5)(x)).shape == (4, 2)


class _Pairs(layers.Concatenate):
    """A user merge whose own ``_merge_function`` changes the shape the base class states."""

    def _merge_function(self, inputs):
        return kl.ops.stack(inputs, axis=1)


INEXACT = [  # layer, input shapes: the shape answer would be wrong, so these are traced
    (lambda: layers.Activation("glu"), (2, 6)),
    (lambda: layers.Activation(lambda x: x[:, :1]), (2, 6)),
    (lambda: layers.Rescaling([1.0, 2.0, 3.0]), (2, 1)),
    (lambda: _Pairs(), [(2, 3), (2, 3)]),
]


@pytest.mark.parametrize("make,shape", INEXACT, ids=[str(i) for i in range(len(INEXACT))])
def test_arguments_that_change_the_shape_are_traced(make, shape):
    layer = make()
    out = layer(_specs(shape))
    real = kl.ops.convert_to_numpy(make()(_concrete(shape)))
    assert out.shape == real.shape and out.dtype == str(real.dtype)


def test_autocast_off_keeps_the_input_dtype():
    layer = layers.Add(dtype="float32", autocast=False)
    out = layer([KerasTensor((None, 3), "float16"), KerasTensor((None, 3), "float16")])
    real = layers.Add(dtype="float32", autocast=False)([np.ones((2, 3), "float16")] * 2)
    assert out.dtype == "float16" == kl.ops.standardize_dtype(real.dtype)
