"""Convolution and pooling configurations that TensorFlow's generic CPU kernels (every x86-64 CPU;
oneDNN, on only on some Intel CPUs, adds more) cannot run as asked: unequal or strided-and-dilated
depthwise strides, channels_first convolutions and pooling, dilated transposed convolutions,
grouped convolutions. Each case has fixed weights and input, a NumPy reference, and computes its
output and the gradients of a fixed read-out of it. Run as a script to save every case's results:

    KERASLITE_BACKEND=tensorflow TF_ENABLE_ONEDNN_OPTS=0 python any_cpu_conv_cases.py out.npz
"""
from __future__ import annotations

import sys

import numpy as np

from conv_refs import np_conv, np_conv_transpose, np_depthwise, np_pool, to_first, to_last


def _rand(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


# -- NumPy references by layer kind: (layer, channels_last input, weights) -> channels_last ----
def _ref_conv(layer, x, w):
    return np_conv(x, w[0], layer.strides, layer.padding, layer.dilation_rate, layer.groups) + w[1]


def _ref_depthwise(layer, x, w):
    return np_depthwise(x, w[0], layer.strides, layer.padding, layer.dilation_rate) + w[1]


def _ref_separable(layer, x, w):
    mid = np_depthwise(x, w[0], layer.strides, layer.padding, layer.dilation_rate)
    return mid @ w[1].reshape(w[1].shape[-2:]) + w[2]


def _ref_transpose(layer, x, w):
    return np_conv_transpose(x, w[0], layer.strides, layer.padding, layer.output_padding,
                             layer.dilation_rate) + w[1]


def _ref_pool(mode):
    return lambda layer, x, w: np_pool(x, layer.pool_size, layer.strides, layer.padding, mode)


def _layer_case(make, shape, ref):
    return {"kind": "layer", "make": make, "shape": shape, "ref": ref}


def _op_case(op, kernel_shape, shape, ref, **kwargs):
    return {"kind": "op", "op": op, "kernel_shape": kernel_shape, "shape": shape, "ref": ref,
            "kwargs": kwargs}


def _case_specs():
    from keraslite import layers

    L = layers
    return {
        # the three of the issue, then the same limits in other forms
        "depthwise1d_strides_2": _layer_case(
            lambda: L.DepthwiseConv1D(3, strides=2, depth_multiplier=2), (2, 9, 3),
            _ref_depthwise),
        "depthwise2d_strides_1_2": _layer_case(
            lambda: L.DepthwiseConv2D(3, strides=(1, 2)), (2, 7, 8, 3), _ref_depthwise),
        "separable2d_strides_2_1": _layer_case(
            lambda: L.SeparableConv2D(4, 3, strides=(2, 1)), (2, 7, 6, 3), _ref_separable),
        "depthwise1d_same_strides_3": _layer_case(
            lambda: L.DepthwiseConv1D(4, strides=3, padding="same"), (2, 10, 2), _ref_depthwise),
        "depthwise2d_same_strides_3_2_cf": _layer_case(
            lambda: L.DepthwiseConv2D(3, strides=(3, 2), padding="same", depth_multiplier=2,
                                      data_format="channels_first"), (1, 2, 8, 7),
            _ref_depthwise),
        "conv2d_cf_same_strides_1_2": _layer_case(
            lambda: L.Conv2D(3, 3, strides=(1, 2), padding="same", data_format="channels_first"),
            (2, 2, 7, 6), _ref_conv),
        "conv2d_grouped_one_channel_a_group": _layer_case(
            lambda: L.Conv2D(4, 3, strides=(2, 1), groups=2), (2, 6, 6, 2), _ref_conv),
        "conv1d_grouped_dilated_cf": _layer_case(
            lambda: L.Conv1D(6, 3, dilation_rate=2, groups=3, padding="same",
                             data_format="channels_first"), (2, 3, 9), _ref_conv),
        "conv2d_grouped_two_channels_a_group": _layer_case(
            lambda: L.Conv2D(4, 2, groups=2), (2, 5, 5, 4), _ref_conv),
        "max_pool2d_cf_same": _layer_case(
            lambda: L.MaxPooling2D((3, 2), strides=(2, 1), padding="same",
                                   data_format="channels_first"), (2, 3, 7, 6), _ref_pool("max")),
        "average_pool2d_cf": _layer_case(
            lambda: L.AveragePooling2D(2, data_format="channels_first"), (2, 3, 6, 5),
            _ref_pool("avg")),
        "conv1d_transpose_dilated_same": _layer_case(
            lambda: L.Conv1DTranspose(2, 3, dilation_rate=2, padding="same"), (2, 5, 2),
            _ref_transpose),
        "conv2d_transpose_dilated_cf": _layer_case(
            lambda: L.Conv2DTranspose(2, 3, dilation_rate=2, data_format="channels_first"),
            (1, 2, 4, 5), _ref_transpose),
        # strided and dilated at once: no layer takes it, the ops do
        "op_depthwise2d_strided_dilated": _op_case(
            "depthwise_conv", (3, 3, 3, 2), (1, 11, 10, 3),
            lambda x, k: np_depthwise(x, k, (2, 3), "valid", (2, 2)),
            strides=(2, 3), dilation_rate=2),
        "op_depthwise1d_strided_dilated_same": _op_case(
            "depthwise_conv", (3, 2, 1), (2, 12, 2),
            lambda x, k: np_depthwise(x, k, (2,), "same", (3,)),
            strides=2, dilation_rate=3, padding="same"),
        "op_conv2d_strided_dilated_same": _op_case(
            "conv", (3, 2, 2, 3), (1, 9, 8, 2),
            lambda x, k: np_conv(x, k, (2, 2), "same", (2, 1)),
            strides=2, dilation_rate=(2, 1), padding="same"),
    }


CASE_NAMES = sorted(_case_specs())


def _build(name):
    """``(fn, x, weights, reference)``: ``fn(x, weights)`` computes the case with keraslite,
    ``reference(x, weights)`` with NumPy (float64); weights is a list of arrays."""
    from keraslite import ops
    from keraslite.variables import StatelessScope

    spec = _case_specs()[name]
    seed = 1000 + CASE_NAMES.index(name) * 10
    x = _rand(spec["shape"], seed)
    if spec["kind"] == "op":
        op, kwargs = getattr(ops, spec["op"]), spec["kwargs"]
        weights = [_rand(spec["kernel_shape"], seed + 1)]
        return (lambda inp, ws: op(inp, ws[0], **kwargs), x, weights,
                lambda inp, ws: spec["ref"](inp.astype(np.float64), ws[0]))
    layer = spec["make"]()
    layer(x)
    weights = [_rand(w.shape, seed + 1 + i) for i, w in enumerate(layer.weights)]
    first = getattr(layer, "data_format", None) == "channels_first"

    def fn(inp, ws):
        with StatelessScope(dict(zip(layer.weights, ws))):
            return layer(inp)

    def reference(inp, ws):
        inp = inp.astype(np.float64)
        out = spec["ref"](layer, to_last(inp) if first else inp, ws)
        return to_first(out) if first else out

    return fn, x, weights, reference


def readout(name, out_shape):
    """Fixed weights of the read-out ``sum(output * readout)`` whose gradients are compared."""
    return _rand(out_shape, 5000 + CASE_NAMES.index(name))


def compute_case(name):
    """``{name/output, name/grad_0 (the input's), name/grad_1... (the weights')}`` as NumPy."""
    from keraslite import backend, ops

    fn, x, weights, _ = _build(name)
    out = backend.convert_to_numpy(fn(x, weights))
    r = readout(name, out.shape)

    def loss(params):
        return ops.sum(ops.multiply(fn(params[0], params[1:]), r))

    _, grads = backend.value_and_grad(loss)(
        [ops.convert_to_tensor(x)] + [ops.convert_to_tensor(w) for w in weights])
    result = {f"{name}/output": out}
    for i, g in enumerate(grads):
        result[f"{name}/grad_{i}"] = backend.convert_to_numpy(g)
    return result


def reference_case(name):
    """``(x, weights, reference function)`` of a case, for checks against NumPy."""
    _, x, weights, reference = _build(name)
    return x, weights, reference


def compute_all():
    out = {}
    for name in CASE_NAMES:
        out.update(compute_case(name))
    return out


if __name__ == "__main__":
    np.savez(sys.argv[1], **compute_all())
