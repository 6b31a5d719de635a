"""Scaled dot-product attention with soft-capped logits (``attn_logits_soft_cap``)."""
from __future__ import annotations

import math

from keraslite.backends import core as _core
from keraslite.backends import nn as _nn
from keraslite.backends import numpy as _np


def soft_capped_attention(query, key, value, bias, mask, scale, is_causal, cap):
    """query (B, T, N, H), key/value (B, S, N, H); logits ``cap * tanh(logits / cap)``."""
    if not isinstance(cap, (int, float)) or cap <= 0:
        raise ValueError("ops.dot_product_attention: argument `attn_logits_soft_cap` must be a "
                         f"positive number. Received: {cap!r}")
    q, k, v = (_np.multiply(t, 1.0) if not _core.standardize_dtype(t.dtype).startswith("float")
               else t for t in (query, key, value))
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    logits = _np.multiply(_np.einsum("btnh,bsnh->bnts", q, k), scale)
    logits = _np.multiply(_np.tanh(_np.divide(logits, cap)), cap)
    if bias is not None:
        logits = _np.add(logits, _core.cast(bias, logits.dtype))
    big_neg = -1e30 if _core.standardize_dtype(logits.dtype) != "float16" else -6e4
    if mask is not None:
        logits = _np.where(_core.cast(mask, "bool"), logits, big_neg)
    if is_causal:
        t, s = logits.shape[-2], logits.shape[-1]
        logits = _np.where(_np.tril(_np.ones((t, s), "bool")), logits, big_neg)
    probs = _core.cast(_nn.softmax(_core.cast(logits, "float32"), -1), v.dtype)
    return _np.einsum("bnts,bsnh->btnh", probs, v)
