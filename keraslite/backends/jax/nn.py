"""Neural-network ops on JAX arrays: activations, convolutions, pooling, losses, math."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from keraslite.backends.jax import (
    conv_as_matmul, conv_routes, conv_transpose_as_matmul, depthwise_taps,
)

from keraslite import config
from keraslite.backends.common import dtypes as dt
from keraslite.backends.common import conv_utils
from keraslite.backends.jax.numpy import _to
from keraslite.backends.jax.numpy import add as numpy_add


def _float(x):
    x = _to(x)
    return x.astype(dt.float_dtype(x.dtype))


# -- activations ----------------------------------------------------------------------------
def bias_add(x, bias):
    """``x + bias`` over the last axis (a layer's bias; TensorFlow uses its own op)."""
    return numpy_add(x, bias)


def relu(x):
    return jax.nn.relu(_float(x))


def relu6(x):
    return jnp.clip(_float(x), 0.0, 6.0)


def sigmoid(x):
    return jax.nn.sigmoid(_float(x))


def softplus(x):
    return jax.nn.softplus(_float(x))


def softsign(x):
    x = _float(x)
    return x / (1.0 + jnp.abs(x))


def silu(x):
    x = _float(x)
    return x * jax.nn.sigmoid(x)


def log_sigmoid(x):
    return jax.nn.log_sigmoid(_float(x))


def leaky_relu(x, negative_slope=0.2):
    x = _float(x)
    return jnp.where(x >= 0, x, negative_slope * x)


def hard_sigmoid(x):
    x = _float(x)
    return jnp.clip(x / 6.0 + 0.5, 0.0, 1.0)


def hard_silu(x):
    x = _float(x)
    return x * hard_sigmoid(x)


def elu(x, alpha=1.0):
    x = _float(x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.minimum(x, 0.0)))


def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * elu(x, alpha)


def gelu(x, approximate=True):
    return jax.nn.gelu(_float(x), approximate=approximate)


def softmax(x, axis=-1):
    return jax.nn.softmax(_float(x), axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(_float(x), axis=axis)


# -- math -----------------------------------------------------------------------------------
def erf(x):
    return jax.scipy.special.erf(_float(x))


def erfinv(x):
    return jax.scipy.special.erfinv(_float(x))


def rsqrt(x):
    return jax.lax.rsqrt(_float(x))


def logsumexp(x, axis=None, keepdims=False):
    return jax.scipy.special.logsumexp(_float(x), axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    values, indices = jax.lax.top_k(jnp.asarray(x), k)
    return values, indices.astype("int32")


def in_top_k(targets, predictions, k):
    predictions = _float(predictions)
    targets = jnp.asarray(targets).astype("int32")
    target_values = jnp.take_along_axis(predictions, targets[:, None], axis=-1)
    # a target is in the top k when fewer than k entries beat it strictly
    higher = jnp.sum(predictions > target_values, axis=-1)
    return (higher < k) & jnp.all(jnp.isfinite(predictions), axis=-1)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data = jnp.asarray(data)
    segment_ids = jnp.asarray(segment_ids)
    n = int(num_segments) if num_segments is not None else int(jnp.max(segment_ids)) + 1
    return jax.ops.segment_sum(data, segment_ids, num_segments=n, indices_are_sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    data = jnp.asarray(data)
    segment_ids = jnp.asarray(segment_ids)
    n = int(num_segments) if num_segments is not None else int(jnp.max(segment_ids)) + 1
    return jax.ops.segment_max(data, segment_ids, num_segments=n, indices_are_sorted=sorted)


# -- encoding, normalization ----------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None):
    dtype = dt.standardize(dtype) or config.floatx()
    return jax.nn.one_hot(jnp.asarray(x), num_classes, dtype=dtype, axis=axis)


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    dtype = dt.standardize(dtype) or config.floatx()
    encoded = jax.nn.one_hot(jnp.asarray(inputs), num_classes, dtype=dtype, axis=axis)
    reduce_axis = -2 if axis == -1 else (axis + 1 if axis >= 0 else axis - 1)
    return jnp.max(encoded, axis=reduce_axis)


def moments(x, axes, keepdims=False):
    x = _float(x)
    compute = "float32" if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    xc = x.astype(compute)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = jnp.mean(xc, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(xc - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean = jnp.squeeze(mean, axes)
        variance = jnp.squeeze(variance, axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def b(v):
        return jnp.reshape(jnp.asarray(v, dtype=x.dtype), shape)

    inv = jax.lax.rsqrt(b(variance) + epsilon)
    if scale is not None:
        inv = inv * b(scale)
    res = -b(mean) * inv
    if offset is not None:
        res = res + b(offset)
    return x * inv + res


# -- losses ---------------------------------------------------------------------------------
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    target = jnp.asarray(target, dtype=output.dtype)
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: target and output must have the same shape. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        eps = config.epsilon()
        log_prob = jnp.log(jnp.clip(output, eps, 1.0 - eps))
    return -jnp.sum(target * log_prob, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    target = jnp.asarray(target)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, -1)
    if target.ndim != output.ndim - 1:
        raise ValueError(
            "sparse_categorical_crossentropy: target must have one less axis than output. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    target = target.astype("int32")
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        eps = config.epsilon()
        log_prob = jnp.log(jnp.clip(output, eps, 1.0 - eps))
    onehot = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -jnp.sum(onehot * log_prob, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    output = _float(output)
    target = jnp.asarray(target, dtype=output.dtype)
    if target.shape != output.shape:
        raise ValueError(
            "binary_crossentropy: target and output must have the same shape. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    if from_logits:
        # max(x, 0) - x * z + log(1 + exp(-|x|)), stable for large |x|
        return jax.nn.relu(output) - output * target + jnp.log1p(jnp.exp(-jnp.abs(output)))
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1.0 - eps)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


# -- convolution and pooling ----------------------------------------------------------------
def _dims(x_ndim, data_format):
    n = x_ndim - 2
    spatial = "DHW"[-n:] if n <= 3 else None
    if spatial is None:
        raise ValueError(f"Only 1D, 2D and 3D inputs are supported. Received rank {x_ndim}.")
    lhs = ("N" + spatial + "C") if data_format == "channels_last" else ("NC" + spatial)
    return lhs, spatial + "IO", lhs


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = conv_utils.standardize_data_format(data_format)
    inputs = _float(inputs)
    kernel = jnp.asarray(kernel, dtype=inputs.dtype)
    n = kernel.ndim - 2
    if inputs.ndim != n + 2:
        raise ValueError(
            f"conv: inputs must have rank {n + 2} for a kernel of rank {kernel.ndim}. "
            f"Received: inputs.shape={inputs.shape}, kernel.shape={kernel.shape}"
        )
    strides = conv_utils.tuplify(strides, n, "strides")
    dilation = conv_utils.tuplify(dilation_rate, n, "dilation_rate")
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    groups = conv_utils.groups_of(channels, kernel.shape[-2])
    spatial = conv_utils.spatial_shape(inputs.shape, data_format)
    pads = conv_utils.padding_amounts(spatial, kernel.shape[:-2], strides, dilation, padding)
    if conv_as_matmul.applies(groups) and not conv_routes.prefers_xla(kernel.shape[:-2]):
        if data_format == "channels_last":
            return conv_as_matmul.conv_channels_last(inputs, kernel, strides, pads, dilation)
        moved = jnp.moveaxis(inputs, 1, -1)
        out = conv_as_matmul.conv_channels_last(moved, kernel, strides, pads, dilation)
        return jnp.moveaxis(out, -1, 1)
    if depthwise_taps.applies(groups, channels, kernel.shape[-2], pads, inputs.shape,
                              kernel.shape[:-2]):
        if data_format == "channels_last":
            return depthwise_taps.conv_channels_last(inputs, kernel, strides, pads, dilation)
        moved = jnp.moveaxis(inputs, 1, -1)
        out = depthwise_taps.conv_channels_last(moved, kernel, strides, pads, dilation)
        return jnp.moveaxis(out, -1, 1)
    dn = jax.lax.conv_dimension_numbers(inputs.shape, kernel.shape, _dims(inputs.ndim, data_format))
    return jax.lax.conv_general_dilated(
        inputs, kernel, strides, pads, rhs_dilation=dilation, dimension_numbers=dn,
        feature_group_count=groups,
    )


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    data_format = conv_utils.standardize_data_format(data_format)
    kernel = jnp.asarray(kernel)
    in_ch, mult = kernel.shape[-2], kernel.shape[-1]
    kernel = jnp.reshape(kernel, kernel.shape[:-2] + (1, in_ch * mult))
    return conv(inputs, kernel, strides, padding, data_format, dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    out = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(out, pointwise_kernel, 1, "valid", data_format, 1)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    data_format = conv_utils.standardize_data_format(data_format)
    inputs = _float(inputs)
    kernel = jnp.asarray(kernel, dtype=inputs.dtype)
    n = kernel.ndim - 2
    strides = conv_utils.tuplify(strides, n, "strides")
    dilation = conv_utils.tuplify(dilation_rate, n, "dilation_rate")
    spatial = conv_utils.spatial_shape(inputs.shape, data_format)
    pads = conv_utils.transpose_padding(spatial, kernel.shape[:-2], strides, dilation, padding,
                                        output_padding)
    if conv_as_matmul.applies(1):
        # pads are those of the zero-dilated input: turn them into the crop and length of the
        # uncropped ("full") result that conv_transpose_channels_last takes.
        spans = [conv_utils.effective_kernel(k, d) for k, d in zip(kernel.shape[:n], dilation)]
        crops = [span - 1 - lo for span, (lo, _) in zip(spans, pads)]
        lengths = [(size - 1) * s + lo + hi - span + 2
                   for size, s, span, (lo, hi) in zip(spatial, strides, spans, pads)]
        if data_format == "channels_last":
            return conv_transpose_as_matmul.conv_transpose_channels_last(
                inputs, kernel, strides, dilation, crops, lengths)
        out = conv_transpose_as_matmul.conv_transpose_channels_last(
            jnp.moveaxis(inputs, 1, -1), kernel, strides, dilation, crops, lengths)
        return jnp.moveaxis(out, -1, 1)
    # kernel is (*spatial, out, in): flip it spatially and swap to (*spatial, in, out)
    kernel = jnp.flip(kernel, axis=tuple(range(n)))
    kernel = jnp.swapaxes(kernel, -1, -2)
    dn = jax.lax.conv_dimension_numbers(inputs.shape, kernel.shape, _dims(inputs.ndim, data_format))
    return jax.lax.conv_general_dilated(
        inputs, kernel, (1,) * n, pads, lhs_dilation=strides, rhs_dilation=dilation,
        dimension_numbers=dn,
    )


def _pool(inputs, pool_size, strides, padding, data_format, init, reducer):
    data_format = conv_utils.standardize_data_format(data_format)
    n = inputs.ndim - 2
    pool_size = conv_utils.tuplify(pool_size, n, "pool_size")
    strides = pool_size if strides is None else conv_utils.tuplify(strides, n, "strides")
    spatial = conv_utils.spatial_shape(inputs.shape, data_format)
    pads = conv_utils.padding_amounts(spatial, pool_size, strides, (1,) * n, padding)
    if data_format == "channels_last":
        window, stride, pad = (1,) + pool_size + (1,), (1,) + strides + (1,), [(0, 0)] + pads + [(0, 0)]
    else:
        window, stride, pad = (1, 1) + pool_size, (1, 1) + strides, [(0, 0), (0, 0)] + pads
    return jax.lax.reduce_window(inputs, init, reducer, window, stride, pad)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = jnp.asarray(inputs)
    init = -jnp.inf if dt.is_float(inputs.dtype) else jnp.iinfo(inputs.dtype).min
    # A concrete NumPy init value lets JAX pick its differentiable max-pool primitive; a
    # jnp array would be a tracer under jit and fall back to a generic, non-differentiable one.
    return _pool(inputs, pool_size, strides, padding, data_format,
                 np.array(init, inputs.dtype), jax.lax.max)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _float(inputs)
    zero = np.array(0, inputs.dtype)
    total = _pool(inputs, pool_size, strides, padding, data_format, zero, jax.lax.add)
    if str(padding).lower() == "valid":
        return total / np.prod(conv_utils.tuplify(pool_size, inputs.ndim - 2, "pool_size"))
    # "same": divide by the number of real (non-padding) elements in each window
    ones = jnp.ones((1,) + inputs.shape[1:], inputs.dtype)
    count = _pool(ones, pool_size, strides, padding, data_format, zero, jax.lax.add)
    return total / count


# -- attention ------------------------------------------------------------------------------
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False):
    """query (B, T, N, H), key/value (B, S, N, H) -> (B, T, N, H)."""
    query, key, value = _float(query), _float(key), _float(value)
    if scale is None:
        scale = 1.0 / np.sqrt(query.shape[-1])
    logits = jnp.einsum("btnh,bsnh->bnts", query, key) * scale
    if bias is not None:
        logits = logits + jnp.asarray(bias, logits.dtype)
    big_neg = jnp.finfo(logits.dtype).min
    if mask is not None:
        logits = jnp.where(jnp.asarray(mask, bool), logits, big_neg)
    if is_causal:
        t, s = logits.shape[-2], logits.shape[-1]
        causal = jnp.tril(jnp.ones((t, s), bool))
        logits = jnp.where(causal, logits, big_neg)
    probs = jax.nn.softmax(logits.astype("float32"), axis=-1).astype(value.dtype)
    return jnp.einsum("bnts,bsnh->btnh", probs, value)
