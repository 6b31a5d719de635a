"""Depthwise convolutions at unequal strides: TensorFlow's generic CPU kernels refuse them, so
keraslite's TensorFlow backend computes them through a route (backends/tensorflow/
conv_routes.py). Values and both gradients are checked against a NumPy reference on either
backend (under JAX, the same cases check that backend); the route choices and the graphs they
build are checked under TensorFlow."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import keraslite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "layers"))
from conv_refs import np_depthwise  # noqa: E402

BACKEND = keraslite.backend.backend()
tensorflow_only = pytest.mark.skipif(BACKEND != "tensorflow",
                                     reason="the routes of the TensorFlow backend")

CASES = [  # (spatial, window, multiplier, strides, padding): phase and subsample routes
    ((7, 8), (3, 3), 1, (1, 2), "same"),
    ((9, 6), (3, 3), 2, (2, 1), "valid"),
    ((8, 9), (3, 2), 1, (1, 2), "valid"),
    ((6, 13), (2, 3), 1, (1, 4), "same"),  # kernel narrower than the stride: some phases unused
    ((10, 11), (3, 3), 1, (2, 3), "same"),
    ((9, 9), (5, 4), 2, (3, 1), "valid"),
]


def _grads(x, kernel, strides, padding, readout):
    """The output and the gradients of sum(output * readout) for the input and the kernel."""
    if BACKEND == "jax":
        import jax

        def loss(a, b):
            return (keraslite.ops.depthwise_conv(a, b, strides, padding) * readout).sum()

        out = keraslite.ops.depthwise_conv(x, kernel, strides, padding)
        gx, gk = jax.grad(loss, argnums=(0, 1))(x, kernel)
        return np.asarray(out), np.asarray(gx), np.asarray(gk)
    import tensorflow as tf

    a, b = tf.constant(x), tf.constant(kernel)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        out = keraslite.ops.depthwise_conv(a, b, strides, padding)
        loss = tf.reduce_sum(out * readout)
    gx, gk = tape.gradient(loss, [a, b])
    return out.numpy(), gx.numpy(), gk.numpy()


@pytest.mark.parametrize("spatial,window,multiplier,strides,padding", CASES)
def test_values_and_gradients_match_numpy(spatial, window, multiplier, strides, padding):
    rng = np.random.default_rng(sum(spatial) + sum(strides))
    x = rng.normal(size=(2,) + spatial + (3,)).astype("float32")
    kernel = rng.normal(size=window + (3, multiplier)).astype("float32")
    expected = np_depthwise(x, kernel, strides, padding, (1, 1))
    readout = rng.normal(size=expected.shape).astype("float32")
    out, gx, gk = _grads(x, kernel, strides, padding, readout)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    # the map is linear in each argument: <grad, d> = sum(f(d) * readout), exactly
    dx = rng.normal(size=x.shape)
    dk = rng.normal(size=kernel.shape)
    want_x = float(np.sum(np_depthwise(dx, kernel, strides, padding, (1, 1)) * readout))
    want_k = float(np.sum(np_depthwise(x, dk, strides, padding, (1, 1)) * readout))
    assert float(np.sum(gx * dx)) == pytest.approx(want_x, rel=1e-4, abs=1e-3)
    assert float(np.sum(gk * dk)) == pytest.approx(want_k, rel=1e-4, abs=1e-3)


def _graph_ops(fn, *specs) -> list:
    import tensorflow as tf

    graph = tf.function(fn, autograph=False).get_concrete_function(*specs).graph
    return [op.type for op in graph.get_operations()]


@tensorflow_only
def test_equal_strides_run_natively_without_a_rewrite():
    """MobileNetV2's stride-2 depthwise layers: one kernel call, nothing padded or sliced."""
    import tensorflow as tf

    for padding in ("valid", "same"):
        ops = _graph_ops(lambda x, k: keraslite.ops.depthwise_conv(x, k, 2, padding),
                         tf.TensorSpec((None, 113, 113, 8)), tf.TensorSpec((3, 3, 8, 1)))
        assert ops.count("DepthwiseConv2dNative") == 1
        assert not {"StridedSlice", "Pad", "PadV2", "Unpack", "AddN"} & set(ops), ops


@tensorflow_only
def test_phase_route_makes_no_strided_slice_of_the_input():
    """Strides (1, 2): two stride-1 calls on the input's phases, which come from a reshape: no
    slice with steps (the subsample route's, twice as slow forward)."""
    import tensorflow as tf

    graph = tf.function(lambda x, k: keraslite.ops.depthwise_conv(x, k, (1, 2), "same"),
                        autograph=False).get_concrete_function(
        tf.TensorSpec((None, 56, 56, 8)), tf.TensorSpec((3, 3, 8, 1))).graph
    convs = [op for op in graph.get_operations() if op.type == "DepthwiseConv2dNative"]
    assert len(convs) == 2
    assert all(list(op.get_attr("strides")) == [1, 1, 1, 1] for op in convs)
    # slices of batches (unknown batch size); the kernel's taps are sliced with steps
    steps = [tf.get_static_value(op.inputs[3]) for op in graph.get_operations()
             if op.type == "StridedSlice" and op.inputs[0].shape.rank == 4
             and op.inputs[0].shape[0] is None]
    assert steps
    assert all(step is not None and (step == 1).all() for step in steps), steps


@tensorflow_only
@pytest.mark.parametrize("strides,dilation,window,known,expected", [
    ((2, 2), (1, 1), (3, 3), True, ("native", (2, 2))),
    ((1, 1), (2, 2), (3, 3), True, ("native", (1, 1))),
    ((2, 2), (2, 2), (3, 3), True, ("subsample", (1, 1))),
    ((1, 2), (1, 1), (3, 3), True, ("phases", (1, 1))),
    ((1, 2), (1, 1), (3, 3), False, ("subsample", (1, 1))),
    ((2, 4), (1, 1), (3, 3), True, ("subsample", (2, 2))),
    ((1, 4), (1, 1), (3, 1), True, ("phases", (1, 1))),
])
def test_route_choice(strides, dilation, window, known, expected):
    from keraslite.backends.tensorflow import conv_routes

    assert conv_routes.depthwise_route(strides, dilation, window, known) == expected


@tensorflow_only
def test_unknown_spatial_sizes_take_the_subsample_route_with_the_same_numbers():
    import tensorflow as tf

    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 7, 9, 3)).astype("float32")
    kernel = rng.normal(size=(3, 3, 3, 1)).astype("float32")
    fn = tf.function(lambda a, b: keraslite.ops.depthwise_conv(a, b, (1, 2), "same"),
                     input_signature=[tf.TensorSpec((None, None, None, 3)),
                                      tf.TensorSpec((3, 3, 3, 1))], autograph=False)
    np.testing.assert_allclose(fn(x, kernel).numpy(),
                               np_depthwise(x, kernel, (1, 2), "same", (1, 1)),
                               rtol=1e-4, atol=1e-4)
