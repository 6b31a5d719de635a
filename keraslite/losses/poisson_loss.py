"""Poisson loss, for count targets."""
from __future__ import annotations

from keraslite import config, ops
from keraslite.losses.loss import LossFunctionWrapper
from keraslite.losses.targets import prepare


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon)) over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred)
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, ops.log(ops.add(y_pred, config.epsilon())))),
                    axis=-1)


class Poisson(LossFunctionWrapper):
    """Poisson loss: ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
