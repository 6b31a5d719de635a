"""Normalization by the training data's statistics, held as the layer's weights.

A ``Normalization(mean=..., variance=...)`` layer puts its statistics into every compiled
program as constants, so a trial (statistics of the training split) and the refit of the same
configuration (statistics of all rows) compiled different programs. Held as weights (the
layer's ``mean`` and ``variance``, as ``adapt`` sets them) they are state: both run one
program (``training/batch_layout.py`` says why that matters), and the exported model holds the
statistics like any adapted ``Normalization``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from keraslite import layers


def normalized(x: Any, mean: Any, variance: Any) -> Any:
    """``(x - mean) / sqrt(variance)`` along the last axis, by a ``Normalization`` layer whose
    weights hold ``mean`` and ``variance`` (each broadcast to one value per feature)."""
    layer = layers.Normalization()
    out = layer(x)
    shape = layer.adapt_mean.shape
    for variable, value in ((layer.adapt_mean, mean), (layer.adapt_variance, variance)):
        value = np.asarray(value, np.float32)
        if value.size == int(np.prod(shape)):
            value = value.reshape(shape)
        variable.assign(np.broadcast_to(value, shape).astype(variable.dtype))
    return out
