"""Hinge, log-cosh, Poisson, cosine similarity, focal cross-entropies, Tversky and Dice losses."""
from __future__ import annotations

import math

from keraslite import config, ops
from keraslite.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank
from keraslite.losses.probabilistic import _binary_crossentropy_elementwise


def _prepare(y_true, y_pred, match_rank=True):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    if match_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _to_signed_labels(y_true):
    """0/1 labels become -1/1; labels already in {-1, 1} (or anything else) stay as given."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(is_binary, ops.subtract(ops.multiply(2.0, y_true), 1.0), y_true)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.relu(ops.subtract(1.0, ops.multiply(y_true, y_pred))), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)**2) over the last axis; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.square(ops.relu(ops.subtract(1.0, ops.multiply(y_true, y_pred)))), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred)) for one-hot targets."""
    y_true, y_pred = _prepare(y_true, y_pred)
    positive = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    negative = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.relu(ops.add(ops.subtract(negative, positive), 1.0))


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis, computed without overflow."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    # log(cosh(x)) = x + log(1 + exp(-2x)) - log(2)
    return ops.mean(ops.subtract(ops.add(x, ops.softplus(ops.multiply(-2.0, x))), math.log(2.0)), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon)) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, ops.log(ops.add(y_pred, config.epsilon())))),
                    axis=-1)


def _l2_normalize(x, axis):
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    eps = config.epsilon()
    return ops.multiply(x, ops.minimum(ops.rsqrt(square_sum), 1.0 / eps))


def cosine_similarity(y_true, y_pred, axis=-1):
    """The negative cosine similarity along ``axis`` (-1 for parallel vectors, 0 orthogonal)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.negative(ops.sum(ops.multiply(_l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)),
                                axis=axis))


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy down-weighted by ``(1 - p_t)**gamma`` for well-classified examples;
    with ``apply_class_balancing``, positives weigh ``alpha`` and negatives ``1 - alpha``."""
    y_true, y_pred = _prepare(y_true, y_pred, match_rank=False)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = _binary_crossentropy_elementwise(y_true, y_pred, from_logits=False)
    p_t = ops.add(ops.multiply(y_true, y_pred), ops.multiply(ops.subtract(1.0, y_true), ops.subtract(1.0, y_pred)))
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), gamma), bce)
    if apply_class_balancing:
        weight = ops.add(ops.multiply(y_true, alpha), ops.multiply(ops.subtract(1.0, y_true), 1.0 - alpha))
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with each class term scaled by ``alpha * (1 - p)**gamma``."""
    y_true, y_pred = _prepare(y_true, y_pred, match_rank=False)
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = config.epsilon()
    probs = ops.clip(ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True)), eps, 1.0 - eps)
    cross_entropy = ops.negative(ops.multiply(y_true, ops.log(probs)))
    weight = ops.multiply(ops.power(ops.subtract(1.0, probs), gamma), alpha)
    return ops.sum(ops.multiply(weight, cross_entropy), axis=axis)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha * FP + beta * FN), the sums taken over ``axis`` (all axes if None)."""
    y_true, y_pred = _prepare(y_true, y_pred, match_rank=False)
    tp = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    fp = ops.sum(ops.multiply(y_true, ops.subtract(1.0, y_pred)), axis=axis)
    fn = ops.sum(ops.multiply(y_pred, ops.subtract(1.0, y_true)), axis=axis)
    denominator = ops.add(ops.add(ops.add(tp, ops.multiply(alpha, fp)), ops.multiply(beta, fn)), config.epsilon())
    return ops.subtract(1.0, ops.divide(tp, denominator))


def dice(y_true, y_pred, axis=None):
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred)), summed over ``axis``."""
    y_true, y_pred = _prepare(y_true, y_pred, match_rank=False)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), config.epsilon())
    return ops.subtract(1.0, ops.divide(ops.multiply(2.0, intersection), total))


logcosh = log_cosh


class Hinge(LossFunctionWrapper):
    """Hinge loss for -1/1 (or 0/1) labels."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss for -1/1 (or 0/1) labels."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss for one-hot labels."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss: ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis``."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal binary cross-entropy (Lin et al., 2017).

    Example::

        loss = BinaryFocalCrossentropy(gamma=2.0, apply_class_balancing=True)(y_true, y_pred)
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Focal categorical cross-entropy for one-hot labels."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class Tversky(LossFunctionWrapper):
    """Tversky loss (``alpha`` weighs false positives, ``beta`` false negatives)."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta,
                         axis=axis)


class Dice(LossFunctionWrapper):
    """Dice loss (1 - the Dice coefficient)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
