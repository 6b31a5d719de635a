"""Neural-network public ops: activations, convolutions, pooling, normalization, losses.

``data_format=None`` means ``keraslite.config.image_data_format()``. Kernels use the Keras
layout: ``(*spatial, in_channels // groups, out_channels)`` for ``conv``,
``(*spatial, in_channels, multiplier)`` for ``depthwise_conv`` and
``(*spatial, out_channels, in_channels)`` for ``conv_transpose``.
"""
from __future__ import annotations

from keraslite.backends import nn as _nn
from keraslite.ops.dispatch import keras_op


def _dense_only(op: str, sparse: object) -> None:
    # keraslite has no sparse tensors: the Keras argument is accepted at its default only.
    if sparse:
        raise ValueError(f"{op}: argument `sparse` is not supported by keraslite (outputs are "
                         f"dense); received sparse={sparse!r}")


@keras_op
def relu(x):
    return _nn.relu(x)


@keras_op
def relu6(x):
    return _nn.relu6(x)


@keras_op
def sigmoid(x):
    return _nn.sigmoid(x)


@keras_op
def softplus(x):
    return _nn.softplus(x)


@keras_op
def softsign(x):
    return _nn.softsign(x)


@keras_op
def silu(x):
    return _nn.silu(x)


@keras_op
def log_sigmoid(x):
    return _nn.log_sigmoid(x)


@keras_op
def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(x, negative_slope)


@keras_op
def hard_sigmoid(x):
    return _nn.hard_sigmoid(x)


@keras_op
def hard_silu(x):
    return _nn.hard_silu(x)


@keras_op
def elu(x, alpha=1.0):
    return _nn.elu(x, alpha)


@keras_op
def selu(x):
    return _nn.selu(x)


@keras_op
def gelu(x, approximate=True):
    return _nn.gelu(x, approximate)


@keras_op
def softmax(x, axis=-1):
    return _nn.softmax(x, axis)


@keras_op
def log_softmax(x, axis=-1):
    return _nn.log_softmax(x, axis)


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    _dense_only("one_hot", sparse)
    return _nn.one_hot(x, num_classes, axis, dtype)


@keras_op
def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    _dense_only("multi_hot", sparse)
    return _nn.multi_hot(inputs, num_classes, axis, dtype)


@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    if synchronized:
        # Keras syncs the statistics across replicas; keraslite computes them per device.
        raise ValueError("moments: argument `synchronized` is not supported by keraslite; "
                         f"received synchronized={synchronized!r}")
    return _nn.moments(x, axes, keepdims)


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=0.001):
    return _nn.batch_normalization(x, mean, variance, axis, offset, scale, epsilon)


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _nn.categorical_crossentropy(target, output, from_logits, axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _nn.sparse_categorical_crossentropy(target, output, from_logits, axis)


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    return _nn.binary_crossentropy(target, output, from_logits)


@keras_op
def conv(inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _nn.conv(inputs, kernel, strides, padding, data_format, dilation_rate)


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _nn.depthwise_conv(inputs, kernel, strides, padding, data_format, dilation_rate)


@keras_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _nn.separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate)


@keras_op
def conv_transpose(inputs, kernel, strides=1, padding='valid', output_padding=None, data_format=None, dilation_rate=1):
    return _nn.conv_transpose(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)


@keras_op
def max_pool(inputs, pool_size, strides=None, padding='valid', data_format=None):
    return _nn.max_pool(inputs, pool_size, strides, padding, data_format)


@keras_op
def average_pool(inputs, pool_size, strides=None, padding='valid', data_format=None):
    return _nn.average_pool(inputs, pool_size, strides, padding, data_format)


@keras_op
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """query (B, T, N, H), key/value (B, S, N, H) -> (B, T, N, H).

    ``attn_logits_soft_cap`` bounds the logits smoothly: ``cap * tanh(logits / cap)``.
    ``flash_attention`` is accepted as None or False (no fused kernel here)."""
    if flash_attention not in (None, False):
        raise ValueError("ops.dot_product_attention: argument `flash_attention` supports only "
                         f"None or False here. Received: flash_attention={flash_attention!r}")
    if attn_logits_soft_cap is None:
        return _nn.dot_product_attention(query, key, value, bias, mask, scale, is_causal)
    from keraslite.ops.nn_attention import soft_capped_attention

    return soft_capped_attention(query, key, value, bias, mask, scale, is_causal,
                                 attn_logits_soft_cap)



@keras_op
def swish(x):
    return _nn.silu(x)


@keras_op
def hard_swish(x):
    return _nn.hard_silu(x)


from keraslite.ops.nn_activations import *  # noqa: E402,F401,F403
from keraslite.ops.nn_normalization import *  # noqa: E402,F401,F403
from keraslite.ops.nn_spatial import *  # noqa: E402,F401,F403
from keraslite.ops.nn_ctc import *  # noqa: E402,F401,F403
from keraslite.ops.numpy_complex import polar  # noqa: E402,F401  (keras.ops.nn.polar)

__all__ = [name for name in dir() if not name.startswith("_") and name not in (
    "annotations", "keras_op")]
