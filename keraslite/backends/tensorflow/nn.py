"""Neural-network ops on TensorFlow tensors: activations, convolutions, pooling, losses, math.

Convolutions and pooling are written for TF's generic CPU kernels, so they compute on every
x86-64 CPU, with or without oneDNN (see "convolution and pooling" below).
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from keraslite import config
from keraslite.backends.common import dtypes as dt
from keraslite.backends.common import conv_utils
from keraslite.backends.tensorflow import conv_routes
from keraslite.backends.tensorflow.numpy import _promote


def _float(x):
    if isinstance(x, tf.Variable):
        x = x.value()
    if not tf.is_tensor(x):
        x = tf.convert_to_tensor(np.asarray(x, dtype=dt.dtype_of(x)))
    want = dt.float_dtype(x.dtype.name)
    return x if x.dtype.name == want else tf.cast(x, want)


def _tensor(x, dtype=None):
    if isinstance(x, tf.Variable):
        x = x.value()
    if not tf.is_tensor(x):
        x = tf.convert_to_tensor(np.asarray(x, dtype=dtype or dt.dtype_of(x)))
    return x if dtype is None or x.dtype.name == dtype else tf.cast(x, dtype)


# -- activations ----------------------------------------------------------------------------
def bias_add(x, bias):
    """``x + bias`` over the last axis (a layer's bias), with ``add``'s dtype rules, as
    ``tf.nn.bias_add``: its gradient is a ``BiasAddGrad``, which TensorFlow's graph optimizer
    fuses into a convolution's filter gradient (a broadcast add's gradient is a separate
    ``Sum`` over the batch: about 4% of a ResNet50 training step on CPU)."""
    x, bias = _promote(x, bias, dtype=dt.arithmetic_dtype(dt.result_type(x, bias)))
    if x.shape.rank is None or x.shape.rank < 2 or bias.shape.rank != 1:
        return tf.add(x, bias)
    return tf.nn.bias_add(x, bias)


def relu(x):
    return tf.nn.relu(_float(x))


def relu6(x):
    return tf.nn.relu6(_float(x))


def sigmoid(x):
    return tf.sigmoid(_float(x))


def softplus(x):
    return tf.math.softplus(_float(x))


def softsign(x):
    return tf.math.softsign(_float(x))


def silu(x):
    x = _float(x)
    return x * tf.sigmoid(x)


def log_sigmoid(x):
    return tf.math.log_sigmoid(_float(x))


def leaky_relu(x, negative_slope=0.2):
    x = _float(x)
    return tf.where(x >= 0, x, negative_slope * x)


def hard_sigmoid(x):
    x = _float(x)
    return tf.clip_by_value(x / 6.0 + 0.5, 0.0, 1.0)


def hard_silu(x):
    x = _float(x)
    return x * hard_sigmoid(x)


def elu(x, alpha=1.0):
    x = _float(x)
    return tf.where(x > 0, x, alpha * tf.math.expm1(tf.minimum(x, 0.0)))


def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * elu(x, alpha)


def gelu(x, approximate=True):
    return tf.nn.gelu(_float(x), approximate=approximate)


def softmax(x, axis=-1):
    return tf.nn.softmax(_float(x), axis=axis)


def log_softmax(x, axis=-1):
    return tf.nn.log_softmax(_float(x), axis=axis)


# -- math -----------------------------------------------------------------------------------
def erf(x):
    return tf.math.erf(_float(x))


def erfinv(x):
    return tf.math.erfinv(_float(x))


def rsqrt(x):
    return tf.math.rsqrt(_float(x))


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(_float(x), axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    values, indices = tf.math.top_k(_tensor(x), k, sorted=sorted)
    return values, tf.cast(indices, "int32")


def in_top_k(targets, predictions, k):
    predictions = _float(predictions)
    targets = _tensor(targets, "int32")
    target_values = tf.gather(predictions, targets[:, None], batch_dims=1)
    higher = tf.reduce_sum(tf.cast(predictions > target_values, "int32"), axis=-1)
    return tf.logical_and(higher < k, tf.reduce_all(tf.math.is_finite(predictions), axis=-1))


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids = _tensor(data), _tensor(segment_ids, "int32")
    n = num_segments if num_segments is not None else tf.reduce_max(segment_ids) + 1
    return tf.math.unsorted_segment_sum(data, segment_ids, n)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids = _tensor(data), _tensor(segment_ids, "int32")
    n = num_segments if num_segments is not None else tf.reduce_max(segment_ids) + 1
    return tf.math.unsorted_segment_max(data, segment_ids, n)


# -- encoding, normalization ----------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None):
    dtype = dt.standardize(dtype) or config.floatx()
    return tf.one_hot(_tensor(x, "int32"), num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    dtype = dt.standardize(dtype) or config.floatx()
    encoded = tf.one_hot(_tensor(inputs, "int32"), num_classes, axis=axis, dtype=dtype)
    reduce_axis = -2 if axis == -1 else (axis + 1 if axis >= 0 else axis - 1)
    return tf.reduce_max(encoded, axis=reduce_axis)


def moments(x, axes, keepdims=False):
    x = _float(x)
    compute = "float32" if x.dtype in (tf.float16, tf.bfloat16) else x.dtype
    xc = tf.cast(x, compute)
    axes = list(axes) if isinstance(axes, (list, tuple)) else [axes]
    mean = tf.reduce_mean(xc, axis=axes, keepdims=True)
    # One fused op (and one pass over x) where a subtraction and a square would be two.
    variance = tf.reduce_mean(tf.math.squared_difference(xc, tf.stop_gradient(mean)), axis=axes,
                              keepdims=True)
    if not keepdims:
        mean = tf.squeeze(mean, axes)
        variance = tf.squeeze(variance, axes)
    return tf.cast(mean, x.dtype), tf.cast(variance, x.dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float(x)
    rank = x.shape.rank
    shape = [1] * rank
    shape[axis] = -1

    def b(v):
        return tf.reshape(_tensor(v, x.dtype.name), shape)

    inv = tf.math.rsqrt(b(variance) + epsilon)
    if scale is not None:
        inv = inv * b(scale)
    res = -b(mean) * inv
    if offset is not None:
        res = res + b(offset)
    return x * inv + res


# -- losses ---------------------------------------------------------------------------------
def _log_probs(output, from_logits, axis):
    if from_logits:
        return tf.nn.log_softmax(output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = config.epsilon()
    return tf.math.log(tf.clip_by_value(output, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    target = _tensor(target, output.dtype.name)
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: target and output must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    return -tf.reduce_sum(target * _log_probs(output, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    target = _tensor(target)
    if target.shape.rank == output.shape.rank and target.shape[-1] == 1:
        target = tf.squeeze(target, -1)
    if target.shape.rank != output.shape.rank - 1:
        raise ValueError(
            "sparse_categorical_crossentropy: target must have one less axis than output. "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    target = tf.cast(target, "int32")
    onehot = tf.one_hot(target, tf.shape(output)[axis], axis=axis, dtype=output.dtype)
    return -tf.reduce_sum(onehot * _log_probs(output, from_logits, axis), axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    output = _float(output)
    target = _tensor(target, output.dtype.name)
    if target.shape != output.shape:
        raise ValueError(
            "binary_crossentropy: target and output must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if from_logits:
        return tf.nn.relu(output) - output * target + tf.math.log1p(tf.exp(-tf.abs(output)))
    eps = config.epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -(target * tf.math.log(output) + (1.0 - target) * tf.math.log(1.0 - output))


# -- convolution and pooling ----------------------------------------------------------------
def _to_last(x, data_format):
    if data_format == "channels_last":
        return x
    n = x.shape.rank
    return tf.transpose(x, [0] + list(range(2, n)) + [1])


def _from_last(x, data_format):
    if data_format == "channels_last":
        return x
    n = x.shape.rank
    return tf.transpose(x, [0, n - 1] + list(range(1, n - 1)))


# Channels-last format names by spatial rank. Passing them explicitly matters: without a
# data_format, TF's eager gradient of 3-D convolutions fails.
_LAST_FORMATS = {1: "NWC", 2: "NHWC", 3: "NDHWC"}

# TF's generic CPU kernels refuse some strided configurations that oneDNN (on only on some
# CPUs) takes; conv_routes.py rewrites them into calls every x86-64 CPU computes. Channels-last
# only (hence the transposes); a grouped convolution forward but not its gradient (below).


def _conv_last(x, kernel, strides, padding, dilation):
    """A plain (ungrouped) convolution of channels_last ``x``."""
    n = len(strides)

    def native(inp, s, pad):
        return tf.nn.convolution(inp, kernel, strides=s, padding=pad, dilations=dilation,
                                 data_format=_LAST_FORMATS[n])

    _, run = conv_routes.conv_route(strides, dilation)
    return conv_routes.subsample(native, x, kernel.shape[:-2], strides, padding, dilation, run)


def _depthwise_2d(x, kernel, strides, padding, dilation):
    """Depthwise convolution of NHWC ``x`` with kernel (kh, kw, in, multiplier)."""
    def native(inp, taps, s, pad):
        return tf.nn.depthwise_conv2d(inp, taps, (1,) + tuple(s) + (1,), pad,
                                      dilations=dilation)

    known = x.shape[1] is not None and x.shape[2] is not None
    route, run = conv_routes.depthwise_route(strides, dilation, kernel.shape[:2], known)
    if route == "phases":
        return conv_routes.phases(native, x, kernel, strides, padding)
    return conv_routes.subsample(lambda inp, s, pad: native(inp, kernel, s, pad), x,
                                 kernel.shape[:2], strides, padding, dilation, run)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = conv_utils.standardize_data_format(data_format)
    inputs = _float(inputs)
    kernel = _tensor(kernel, inputs.dtype.name)
    n = kernel.shape.rank - 2
    if inputs.shape.rank != n + 2:
        raise ValueError(
            f"conv: inputs must have rank {n + 2} for a kernel of rank {kernel.shape.rank}. "
            f"Received: inputs.shape={tuple(inputs.shape)}, kernel.shape={tuple(kernel.shape)}"
        )
    strides = conv_utils.tuplify(strides, n, "strides")
    dilation = conv_utils.tuplify(dilation_rate, n, "dilation_rate")
    padding = conv_utils.standardize_padding(padding).upper()
    x = _to_last(inputs, data_format)
    groups = conv_utils.groups_of(x.shape[-1], kernel.shape[-2])
    if groups == 1:
        out = _conv_last(x, kernel, strides, padding, dilation)
    elif kernel.shape[-2] == 1 and n <= 2:
        # one input channel per group is a depthwise convolution: one kernel call, not `groups`
        mult = kernel.shape[-1] // groups
        out = _depthwise_last(x, tf.reshape(kernel, list(kernel.shape[:-2]) + [groups, mult]),
                              strides, padding, dilation)
    else:
        # TF's CPU kernels have no grouped-convolution gradient: run each group and concatenate
        xs = tf.split(x, groups, axis=-1)
        ks = tf.split(kernel, groups, axis=-1)
        out = tf.concat([_conv_last(a, k, strides, padding, dilation) for a, k in zip(xs, ks)],
                        axis=-1)
    return _from_last(out, data_format)


def _depthwise_last(x, kernel, strides, padding, dilation):
    """Depthwise convolution of channels_last ``x`` (1-D or 2-D)."""
    if len(strides) == 2:
        return _depthwise_2d(x, kernel, strides, padding, dilation)
    # 1-D as 2-D over a height-1 axis; the dummy axis takes the same stride (one output row
    # either way), so the strides stay equal
    out = _depthwise_2d(x[:, None], kernel[None], strides * 2, padding, (1,) + dilation)
    return out[:, 0]


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = conv_utils.standardize_data_format(data_format)
    inputs = _float(inputs)
    kernel = _tensor(kernel, inputs.dtype.name)
    n = kernel.shape.rank - 2
    strides = conv_utils.tuplify(strides, n, "strides")
    dilation = conv_utils.tuplify(dilation_rate, n, "dilation_rate")
    padding = conv_utils.standardize_padding(padding).upper()
    if n > 2:
        # no 3-D depthwise kernel in TF: a grouped convolution with one input channel a group
        in_ch, mult = kernel.shape[-2], kernel.shape[-1]
        grouped = tf.reshape(kernel, list(kernel.shape[:-2]) + [1, in_ch * mult])
        return conv(inputs, grouped, strides, padding, data_format, dilation)
    x = _to_last(inputs, data_format)
    return _from_last(_depthwise_last(x, kernel, strides, padding, dilation), data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    out = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(out, pointwise_kernel, 1, "valid", data_format, 1)


def _dilate_input(x, strides):
    """Inserts ``s - 1`` zeros between neighbours along each spatial axis (channels_last)."""
    for axis, s in enumerate(strides, start=1):
        if s == 1:
            continue
        dims = [x.shape[i] if x.shape[i] is not None else tf.shape(x)[i]
                for i in range(x.shape.rank)]
        moved = tf.expand_dims(x, axis + 1)
        zeros_shape = dims[:axis + 1] + [s - 1] + dims[axis + 1:]
        moved = tf.concat([moved, tf.zeros(tf.stack(zeros_shape), x.dtype)], axis=axis + 1)
        x = tf.reshape(moved, dims[:axis] + [dims[axis] * s] + dims[axis + 1:])
        keep = [slice(None)] * x.shape.rank
        keep[axis] = slice(0, (dims[axis] - 1) * s + 1)
        x = x[tuple(keep)]
    return x


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    data_format = conv_utils.standardize_data_format(data_format)
    inputs = _float(inputs)
    kernel = _tensor(kernel, inputs.dtype.name)
    n = kernel.shape.rank - 2
    strides = conv_utils.tuplify(strides, n, "strides")
    dilation = conv_utils.tuplify(dilation_rate, n, "dilation_rate")
    x = _to_last(inputs, data_format)
    spatial = tuple(x.shape[1:-1])
    pads = conv_utils.transpose_padding(spatial, kernel.shape[:-2], strides, dilation, padding,
                                        output_padding)
    x = _dilate_input(x, strides)
    x = tf.pad(x, [(0, 0)] + [(lo, hi) for lo, hi in pads] + [(0, 0)])
    flipped = tf.reverse(kernel, list(range(n)))
    flipped = tf.transpose(flipped, list(range(n)) + [n + 1, n])
    out = _conv_last(x, flipped, (1,) * n, "VALID", dilation)
    return _from_last(out, data_format)


def _pool(inputs, pool_size, strides, padding, data_format, pooling_type):
    data_format = conv_utils.standardize_data_format(data_format)
    n = inputs.shape.rank - 2
    pool_size = conv_utils.tuplify(pool_size, n, "pool_size")
    strides = pool_size if strides is None else conv_utils.tuplify(strides, n, "strides")
    padding = conv_utils.standardize_padding(padding).upper()
    x = _to_last(inputs, data_format)
    # tf.nn.max_pool/avg_pool, not tf.nn.pool: the latter refuses strides larger than the window
    # (ResNetV2's MaxPooling2D(1, strides=2) shortcut).
    pool = tf.nn.max_pool if pooling_type == "MAX" else tf.nn.avg_pool
    out = pool(x, list(pool_size), list(strides), padding)
    return _from_last(out, data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(_tensor(inputs), pool_size, strides, padding, data_format, "MAX")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(_float(inputs), pool_size, strides, padding, data_format, "AVG")


# -- attention ------------------------------------------------------------------------------
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False):
    """query (B, T, N, H), key/value (B, S, N, H) -> (B, T, N, H)."""
    query, key, value = _float(query), _float(key), _float(value)
    if scale is None:
        scale = 1.0 / np.sqrt(query.shape[-1])
    logits = tf.einsum("btnh,bsnh->bnts", query, key) * tf.cast(scale, query.dtype)
    if bias is not None:
        logits = logits + _tensor(bias, logits.dtype.name)
    big_neg = tf.constant(logits.dtype.min, logits.dtype)
    if mask is not None:
        logits = tf.where(_tensor(mask, "bool"), logits, big_neg)
    if is_causal:
        t, s = tf.shape(logits)[-2], tf.shape(logits)[-1]
        causal = tf.range(s)[None, :] <= tf.range(t)[:, None]
        logits = tf.where(causal, logits, big_neg)
    probs = tf.cast(tf.nn.softmax(tf.cast(logits, "float32"), axis=-1), value.dtype)
    return tf.einsum("bnts,bsnh->btnh", probs, value)
