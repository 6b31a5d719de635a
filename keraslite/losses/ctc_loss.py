"""Connectionist temporal classification loss (Graves et al., 2006).

The forward (alpha) recursion runs in log space over time with ``ops.scan``, on the label
sequence with blanks interleaved (length 2L + 1), so it traces and differentiates on every
backend without a backend CTC kernel. Class 0 is the blank, and 0 also pads the labels.
"""
from __future__ import annotations

from keraslite import ops
from keraslite.losses.loss import Loss, reduce_weighted_values

_BLANK = 0
# Log of "impossible": finite, so logsumexp and its gradient stay free of NaN.
_LOG_ZERO = -1e30


def _shift(x, by: int):
    """x[:, s - by] along axis 1, with log-zero entering at the front."""
    pad = ops.full_like(x[:, :by], _LOG_ZERO)
    return ops.concatenate([pad, x[:, :-by]], axis=1)


def ctc_negative_log_likelihood(labels, logits, label_length):
    """-log p(labels | logits) per sample; ``logits`` (batch, time, classes), ``labels``
    (batch, max_label_length) ints, ``label_length`` (batch,) ints; all time steps are used."""
    log_probs = ops.log_softmax(logits, axis=-1)
    max_len = labels.shape[1]
    # Extended sequence: blank, l1, blank, l2, ..., lL, blank  -> (batch, 2L + 1).
    interleaved = ops.stack([ops.zeros_like(labels), labels], axis=2)
    extended = ops.concatenate([ops.reshape(interleaved, (-1, 2 * max_len)),
                                ops.zeros_like(labels[:, :1])], axis=1)
    positions = ops.arange(2 * max_len + 1)
    # A skip from s - 2 is allowed onto a label that differs from the label two steps back.
    before = ops.concatenate([ops.full_like(extended[:, :2], -1), extended[:, :-2]], axis=1)
    can_skip = ops.logical_and(ops.not_equal(extended, _BLANK), ops.not_equal(extended, before))
    time_major = ops.transpose(log_probs, (1, 0, 2))
    first = ops.take_along_axis(time_major[0], extended, axis=1)
    start = ops.where(ops.less(positions, 2)[None, :], first, ops.full_like(first, _LOG_ZERO))

    def step(alpha, log_prob_t):
        emit = ops.take_along_axis(log_prob_t, extended, axis=1)
        skip = ops.where(can_skip, _shift(alpha, 2), ops.full_like(alpha, _LOG_ZERO))
        paths = ops.stack([alpha, _shift(alpha, 1), skip], axis=0)
        new = ops.add(ops.logsumexp(paths, axis=0), emit)
        return new, new[:1, 0]  # a small y: the TensorFlow scan needs one

    alpha, _ = ops.scan(step, start, time_major[1:])
    # Valid endings: the last label (2L - 1, when L > 0) or the trailing blank (2L).
    end = 2 * ops.cast(label_length, "int32")[:, None]
    is_end = ops.logical_or(ops.equal(positions[None, :], end),
                            ops.logical_and(ops.equal(positions[None, :], end - 1),
                                            ops.greater(end, 0)))
    finals = ops.where(is_end, alpha, ops.full_like(alpha, _LOG_ZERO))
    return ops.negative(ops.logsumexp(finals, axis=1))


def _check(y_true, y_pred):
    if len(y_true.shape) != 2:
        raise ValueError("CTC expects integer targets y_true of shape (batch, max_length), padded "
                         f"with 0. Received: y_true.shape={tuple(y_true.shape)}")
    if len(y_pred.shape) != 3:
        raise ValueError("CTC expects logits y_pred of shape (batch, time, classes). "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}")


def ctc(y_true, y_pred):
    """Per-sample CTC loss of logits ``y_pred`` (batch, time, classes) for labels ``y_true``
    (batch, max_length); class 0 is the blank and pads ``y_true``."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), "int32")
    _check(y_true, y_pred)
    label_length = ops.sum(ops.cast(ops.not_equal(y_true, _BLANK), "int32"), axis=-1)
    return ctc_negative_log_likelihood(y_true, y_pred, label_length)


class CTC(Loss):
    """CTC loss for unsegmented sequence labelling (speech, handwriting).

    Example::

        loss = CTC()
        value = loss(labels, logits)  # labels (batch, max_len) padded with 0; logits (batch, T, C)
    """

    def __init__(self, reduction="sum_over_batch_size", name: str = "ctc", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        # The labels stay integers: the base class would cast them to the loss dtype.
        losses = ctc(y_true, ops.convert_to_tensor(y_pred, dtype=self.dtype))
        return reduce_weighted_values(losses, sample_weight, self.reduction, self.dtype)

    def call(self, y_true, y_pred):
        return ctc(y_true, y_pred)
