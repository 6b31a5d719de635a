"""GroupQueryAttention (Ainslie et al., 2023): many query heads share fewer key/value heads,
which shrinks the key/value projections and cache of a decoder."""
from __future__ import annotations

import math
import numbers
from typing import Optional

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.attention.einsum_dense import EinsumDense
from keraslite.layers.attention.multi_head_attention import (
    _shape_of, causal_mask, masked_softmax,
)
from keraslite.layers.call_context import _lookup_mask
from keraslite.layers.layer import Layer


def _positive(name: str, value) -> int:
    return arg_utils.positive_int("GroupQueryAttention", name, value)


class GroupQueryAttention(Layer):
    """Attention with ``num_query_heads`` query heads and ``num_key_value_heads`` key/value
    heads (each shared by ``num_query_heads // num_key_value_heads`` query heads).

    Inputs are ``query`` (B, T, dim) and ``value`` (B, S, dim_v), ``key`` defaulting to
    ``value``. Weights (Keras 3 layout): ``query`` (dim, q_heads, head_dim), ``key`` and
    ``value`` (dim_v, kv_heads, head_dim), optional ``gate`` (dim, q_heads, head_dim, sigmoid
    gating of each head's output, ``use_gate``) and ``attention_output`` (q_heads, head_dim,
    dim), each with a bias when ``use_bias``. ``sliding_window=w`` lets position i see only
    positions j with |i - j| < w.

    Example::

        gqa = GroupQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)
        y = gqa(x, x, use_causal_mask=True)   # (B, T, dim)
    """

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int,
                 dropout: float = 0.0, use_bias: bool = True, sliding_window: Optional[int] = None,
                 flash_attention: Optional[bool] = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate: bool = False,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import initializers

        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)

        self.head_dim = _positive("head_dim", head_dim)
        self.num_query_heads = _positive("num_query_heads", num_query_heads)
        self.num_key_value_heads = _positive("num_key_value_heads", num_key_value_heads)
        if self.num_query_heads % self.num_key_value_heads:
            raise ValueError("GroupQueryAttention: `num_query_heads` must be divisible by "
                             f"`num_key_value_heads`. Received: num_query_heads="
                             f"{num_query_heads}, num_key_value_heads={num_key_value_heads}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or \
                not 0 <= dropout < 1:
            raise arg_utils.invalid("GroupQueryAttention", "dropout", "a float in [0, 1)",
                                    dropout)
        if sliding_window is not None:
            sliding_window = _positive("sliding_window", sliding_window)
        # flash_attention picks a kernel, not a result: it is kept for the config, and the
        # same einsum attention runs either way.
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = float(dropout), bool(use_bias), bool(use_gate)
        self.sliding_window, self.flash_attention, self.seed = sliding_window, flash_attention, seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.supports_masking = True
        self.seed_generator = None
        if self.dropout > 0:
            from keraslite.random import SeedGenerator

            self.seed_generator = SeedGenerator(seed)

    def _dense(self, equation, output_shape, bias_axes, name, activation=None):
        return EinsumDense(
            equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
            activation=activation, kernel_initializer=self.kernel_initializer,
            bias_initializer=self.bias_initializer, kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint, dtype=self.dtype_policy, name=name)

    def build(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"Layer '{self.name}' expects a {what} of shape (batch, length, "
                                 f"features) with known features. Received: {what} "
                                 f"shape={shape}")
        q_heads, kv_heads, dim = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self.query_dense = self._dense("bqm,muh->bquh", (None, q_heads, dim), "uh", "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._dense("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "key")
        self.key_dense.build(key_shape)
        self.gate_dense = None
        if self.use_gate:
            self.gate_dense = self._dense("bqm,muh->bquh", (None, q_heads, dim), "uh", "gate",
                                          activation="sigmoid")
            self.gate_dense.build(query_shape)
        self.value_dense = self._dense("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "value")
        self.value_dense.build(value_shape)
        self.output_dense = self._dense("bquh,uhm->bqm", (None, query_shape[-1]), "m",
                                        "attention_output")
        self.output_dense.build((None, None, q_heads, dim))
        self.built = True

    def _build_with_shapes(self, shapes):
        if self.built:
            return
        if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
            self.build(*shapes)
        else:
            self.build(shapes)

    def __call__(self, *args, **kwargs):
        if not args and "query" in kwargs:
            args = (kwargs.pop("query"),)
        if len(args) < 2 and "value" not in kwargs:
            raise TypeError(f"Layer '{self.name}' must be called with `query` and `value`.")
        if not self.built:
            value = args[1] if len(args) > 1 else kwargs["value"]
            key = args[2] if len(args) > 2 else kwargs.get("key")
            shapes = [_shape_of(args[0]), _shape_of(value)]
            if key is not None:
                shapes.append(_shape_of(key))
            self._build_with_shapes(shapes)
        return super().__call__(*args, **kwargs)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False, mask=None):
        if isinstance(mask, (list, tuple)):
            masks = list(mask) + [None] * (3 - len(mask))
            query_mask = masks[0] if query_mask is None else query_mask
            value_mask = masks[1] if value_mask is None else value_mask
            key_mask = masks[2] if key_mask is None else key_mask
        elif mask is not None and query_mask is None:
            query_mask = mask
        if value_mask is None:
            value_mask = _lookup_mask(value)
        if key is not None and key_mask is None:
            key_mask = _lookup_mask(key)
        key = value if key is None else key
        full_mask = self._mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                               use_causal_mask)
        gate = self.gate_dense(query) if self.gate_dense is not None else None
        q = self.query_dense(query)
        k = ops.repeat(self.key_dense(key), self.num_repeats, axis=2)
        v = ops.repeat(self.value_dense(value), self.num_repeats, axis=2)
        q = ops.multiply(q, ops.cast(1.0 / math.sqrt(float(self.head_dim)), q.dtype))
        scores = ops.einsum("bquh,bkuh->buqk", q, k)
        if full_mask is not None:
            full_mask = ops.expand_dims(full_mask, 1)  # (B, 1, T, S): the same for every head
        scores = masked_softmax(scores, full_mask, (-1,))
        weights = scores
        if training and self.dropout > 0:
            from keraslite import random

            weights = random.dropout(scores, self.dropout, seed=self.seed_generator)
        out = ops.einsum("buqk,bkuh->bquh", weights, v)
        if gate is not None:
            out = ops.multiply(out, gate)
        out = self.output_dense(out)
        return (out, scores) if return_attention_scores else out

    def _mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
              use_causal_mask):
        """One (B, T, S) boolean mask from the padding masks, the causal and sliding-window
        masks and ``attention_mask``; None when nothing is masked."""
        parts = []
        if query_mask is not None:
            parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))  # (B, T, 1)
        for m in (value_mask, key_mask):
            if m is not None:
                parts.append(ops.expand_dims(ops.cast(m, "bool"), -2))  # (B, 1, S)
        q_len, v_len = query.shape[1], value.shape[1]
        if use_causal_mask:
            parts.append(causal_mask(q_len, v_len))
        if self.sliding_window is not None:
            rows = ops.reshape(ops.arange(q_len, dtype="int32"), (1, -1, 1))
            cols = ops.reshape(ops.arange(v_len, dtype="int32"), (1, 1, -1))
            parts.append(ops.less(ops.abs(ops.subtract(rows, cols)), self.sliding_window))
        if attention_mask is not None:
            parts.append(ops.cast(attention_mask, "bool"))
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = ops.logical_and(combined, part)
        return combined

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            return previous_mask[0] if previous_mask else None
        return previous_mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if query_shape and isinstance(query_shape[0], (list, tuple)):
            query_shape = tuple(query_shape[0])
        return query_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(), "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "dropout": self.dropout,
            "use_bias": self.use_bias, "sliding_window": self.sliding_window,
            "flash_attention": self.flash_attention, "use_gate": self.use_gate,
            "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
            "seed": self.seed,
        }
