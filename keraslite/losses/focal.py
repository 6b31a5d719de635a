"""Focal cross-entropies (Lin et al., 2017): cross-entropy down-weighted for easy examples."""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.loss import LossFunctionWrapper
from keraslite.losses.probabilistic import _binary_crossentropy_elementwise
from keraslite.losses.targets import prepare


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy down-weighted by ``(1 - p_t)**gamma`` for well-classified examples;
    with ``apply_class_balancing``, positives weigh ``alpha`` and negatives ``1 - alpha``."""
    y_true, y_pred = prepare(y_true, y_pred, match_rank=False)
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
    y_true, y_pred = prepare(y_true, y_pred, match_rank=False)
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
