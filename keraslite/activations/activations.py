"""Activation functions, written against ``keraslite.ops`` so they run on any backend."""
from __future__ import annotations

from keraslite import ops


def linear(x):
    """Identity."""
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), optionally leaky below ``threshold`` and capped at ``max_value``."""
    if negative_slope == 0.0 and threshold == 0.0:
        if max_value is None:
            return ops.relu(x)
        if max_value == 6:
            # One fused kernel (TensorFlow's Relu6) instead of compare/select/minimum: a third of
            # MobileNetV2's step time on TensorFlow's CPU kernels went to the unfused form.
            return ops.relu6(x)
    x = ops.convert_to_tensor(x)
    kept = ops.where(ops.greater(x, threshold), x, ops.zeros_like(x))
    if negative_slope != 0.0:
        kept = ops.where(ops.greater(x, threshold), kept,
                         ops.multiply(negative_slope, ops.subtract(x, threshold)))
    if max_value is not None:
        kept = ops.minimum(kept, ops.cast(max_value, kept.dtype))
    return kept


def relu6(x):
    """min(max(x, 0), 6)."""
    return ops.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, ``negative_slope * x`` otherwise."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def elu(x, alpha=1.0):
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU with the self-normalizing constants."""
    return ops.selu(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit (exact erf form unless ``approximate``)."""
    return ops.gelu(x, approximate=approximate)


def silu(x):
    """x * sigmoid(x)."""
    return ops.silu(x)


swish = silu


def softplus(x):
    """log(1 + exp(x))."""
    return ops.softplus(x)


def softsign(x):
    """x / (1 + |x|)."""
    return ops.softsign(x)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return ops.sigmoid(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6: a piecewise-linear sigmoid."""
    return ops.hard_sigmoid(x)


def tanh(x):
    return ops.tanh(x)


def softmax(x, axis=-1):
    """exp(x) normalized to sum to 1 along ``axis``."""
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis=axis)


def exponential(x):
    return ops.exp(x)


def mish(x):
    """x * tanh(softplus(x))."""
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


# The activations below share their math with ``keraslite.ops`` (ops.nn); these wrappers give
# them Keras's activation signatures and names, so ``activations.get("celu")`` finds them.


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return ops.celu(x, alpha=alpha)


def glu(x, axis=-1):
    """Gated linear unit: the first half of ``axis`` times the sigmoid of the second half."""
    return ops.glu(x, axis=axis)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    return ops.hard_shrink(x, threshold=threshold)


def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    return ops.hard_tanh(x)


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed without overflow."""
    return ops.log_sigmoid(x)


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    return ops.soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` between."""
    return ops.sparse_plus(x)


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, ``(x + 1) / 2`` between."""
    return ops.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``."""
    return ops.sparsemax(x, axis=axis)


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    return ops.squareplus(x, b=b)


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return ops.tanh_shrink(x)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return ops.threshold(x, threshold, default_value)
