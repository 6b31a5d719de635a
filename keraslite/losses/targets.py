"""Target/prediction preparation shared by the losses defined outside ``regression.py``."""
from __future__ import annotations

from keraslite import ops
from keraslite.losses.loss import squeeze_or_expand_to_same_rank


def prepare(y_true, y_pred, match_rank=True):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    if match_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred
