"""Circle loss (Sun et al., 2020) for metric learning on L2-normalized embeddings: pushes
same-label pairs' cosine distance below ``margin`` and other pairs' above ``1 - margin``, each
pair weighted by how far it is from its optimum."""
from __future__ import annotations

from keraslite import ops
from keraslite.losses.loss import Loss, divide_no_nan

# Stands in for -inf in the masked log-sum-exps: a row with no pair of a kind then gives
# softplus(-huge) = 0 exactly, and gradients stay finite (an -inf gives NaN gradients).
_VERY_NEGATIVE = -1e30


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80.0, margin: float = 0.4):
    """Per-sample circle loss of embeddings ``y_pred`` (batch, dim) with integer labels
    ``y_true`` (batch,), against ``ref_embeddings``/``ref_labels`` (default: the batch itself).
    Samples with no same-label partner get 0 (the Circle class leaves them out of its mean)."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.reshape(ops.cast(ops.convert_to_tensor(y_true), "int32"), (-1,))
    if len(y_pred.shape) != 2:
        raise ValueError("circle expects embeddings y_pred of shape (batch, dim). "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}")
    refs = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.reshape(
        ops.cast(ops.convert_to_tensor(ref_labels), "int32"), (-1,))
    distance = ops.maximum(ops.subtract(1.0, ops.matmul(y_pred, ops.transpose(refs))), 0.0)
    positive = ops.equal(ops.expand_dims(y_true, 1), ops.expand_dims(ref_labels, 0))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        eye = ops.cast(ops.eye(y_true.shape[0], ref_labels.shape[0]), "bool")
        positive = ops.logical_and(positive, ops.logical_not(eye))
    pos_f, neg_f = ops.cast(positive, distance.dtype), ops.cast(negative, distance.dtype)
    pos_weight = ops.maximum(ops.multiply(ops.add(margin, distance), pos_f), 0.0)
    neg_weight = ops.maximum(ops.multiply(ops.subtract(1.0 + margin, distance), neg_f), 0.0)
    pos_term = ops.multiply(-gamma, ops.multiply(pos_weight, ops.subtract(margin, distance)))
    neg_term = ops.multiply(gamma, ops.multiply(neg_weight, ops.subtract(1.0 - margin, distance)))
    very_negative = ops.full_like(distance, _VERY_NEGATIVE)
    p_loss = ops.logsumexp(ops.where(positive, pos_term, very_negative), axis=1)
    n_loss = ops.logsumexp(ops.where(negative, neg_term, very_negative), axis=1)
    return ops.softplus(ops.add(p_loss, n_loss))


class Circle(Loss):
    """Circle loss; the mean is over samples whose loss is positive (those with a same-label
    partner), as in Keras.

    Example::

        loss = Circle(gamma=80.0, margin=0.4)
        value = loss(labels, keraslite.ops.normalize(embeddings))
    """

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction="sum_over_batch_size", name: str = "circle", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def call(self, y_true, y_pred):
        return circle(y_true, y_pred, remove_diagonal=self.remove_diagonal, gamma=self.gamma,
                      margin=self.margin)

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        losses = self.call(y_true, y_pred)
        valid = ops.cast(ops.greater(losses, 0.0), losses.dtype)
        weight = valid
        if sample_weight is not None:
            sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), losses.dtype)
            weight = ops.multiply(valid, ops.reshape(sample_weight, (-1,)))
        losses = ops.multiply(losses, weight)
        if self.reduction in (None, "none"):
            return losses
        total = ops.sum(losses)
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight":
            return divide_no_nan(total, ops.sum(weight))
        return divide_no_nan(total, ops.sum(valid))

    def get_config(self) -> dict:
        return {**super().get_config(), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}
