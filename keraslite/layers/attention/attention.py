"""Attention (dot-product, Luong-style) and AdditiveAttention (Bahdanau-style)."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.attention.multi_head_attention import causal_mask
from keraslite.layers.layer import Layer


class Attention(Layer):
    """Dot-product attention: ``softmax(score(query, key)) @ value``.

    Called on ``[query, value]`` or ``[query, value, key]`` (key defaults to value), shapes
    (B, T, dim), (B, S, dim) and (B, S, dim). ``score_mode="dot"`` scores with ``q . k``
    (times a learned ``scale`` if ``use_scale``); ``"concat"`` with
    ``concat_score_weight * sum(tanh(scale * (q + k)))``.

    Masks: ``mask=[query_mask, value_mask]`` (B, T) and (B, S); masked value positions get no
    weight and masked query positions give zeros. ``use_causal_mask=True`` lets position i
    attend only to positions j <= i.

    Example::

        out, scores = keraslite.layers.Attention()([q, v], return_attention_scores=True)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if score_mode not in ("dot", "concat"):
            raise arg_utils.invalid(cls, "score_mode", "'dot' or 'concat'", score_mode)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0 <= dropout < 1:
            raise arg_utils.invalid(cls, "dropout", "a float in [0, 1)", dropout)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise arg_utils.invalid(cls, "seed", "an int or None", seed)
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = seed
        self.supports_masking = True
        self.seed_generator = None
        if self.dropout > 0:
            from keraslite.random import SeedGenerator

            self.seed_generator = SeedGenerator(seed)
        self.scale = None
        self.concat_score_weight = None

    def _check_inputs(self, shapes):
        cls = type(self).__name__
        if not isinstance(shapes, (list, tuple)) or not shapes \
                or not isinstance(shapes[0], (list, tuple)) or len(shapes) not in (2, 3):
            raise ValueError(
                f"Layer '{self.name}' ({cls}) must be called on a list [query, value] or "
                f"[query, value, key]. Received: {type(shapes).__name__} of "
                f"{len(shapes) if isinstance(shapes, (list, tuple)) else 1} input(s)")
        q, v = tuple(shapes[0]), tuple(shapes[1])
        k = tuple(shapes[2]) if len(shapes) == 3 else v
        if len(q) != 3 or len(v) != 3 or len(k) != 3:
            raise ValueError(f"Layer '{self.name}' expects query, value and key of rank 3. "
                             f"Received: shapes {q}, {v}, {k}")
        if q[-1] is not None and k[-1] is not None and q[-1] != k[-1]:
            raise ValueError(f"Layer '{self.name}' expects query and key with the same last "
                             f"axis. Received: query shape={q}, key shape={k}")
        if v[1] is not None and k[1] is not None and v[1] != k[1]:
            raise ValueError(f"Layer '{self.name}' expects value and key of the same length. "
                             f"Received: value shape={v}, key shape={k}")
        return q, v, k

    def build(self, input_shape):
        self._check_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(shape=(), initializer="ones",
                                                       name="concat_score_weight")
        self.built = True

    def _read(self, variable):
        return arg_utils.autocast(variable, self.compute_dtype)

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, (0, 2, 1)))
            return ops.multiply(scores, self._read(self.scale)) if self.scale is not None \
                else scores
        pair_sum = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            pair_sum = ops.multiply(self._read(self.scale), pair_sum)
        return ops.multiply(self._read(self.concat_score_weight),
                            ops.sum(ops.tanh(pair_sum), axis=-1))

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        self._check_inputs([tuple(x.shape) for x in inputs]
                           if isinstance(inputs, (list, tuple)) else inputs)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = value_mask = None
        if mask is not None:
            if not isinstance(mask, (list, tuple)) or len(mask) not in (2, 3):
                raise ValueError(f"Layer '{self.name}' expects mask=[query_mask, value_mask]. "
                                 f"Received: a {type(mask).__name__}")
            query_mask, value_mask = mask[0], mask[1]
            for what, m, x in (("query_mask", query_mask, query), ("value_mask", value_mask,
                                                                      value)):
                if m is not None and tuple(m.shape) != tuple(x.shape[:2]) and not any(
                        d is None for d in tuple(m.shape) + tuple(x.shape[:2])):
                    raise ValueError(
                        f"Layer '{self.name}' expected {what} of shape {tuple(x.shape[:2])}. "
                        f"Received: {what} shape={tuple(m.shape)}")
        scores = self._scores(query, key)
        scores_mask = None
        if value_mask is not None:
            scores_mask = ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        if use_causal_mask:
            c = causal_mask(scores.shape[1], scores.shape[2])
            scores_mask = c if scores_mask is None else ops.logical_and(scores_mask, c)
        if scores_mask is not None:
            big = 65504.0 if ops.standardize_dtype(scores.dtype) == "float16" else 1e9
            scores = ops.subtract(scores, ops.multiply(
                ops.cast(ops.logical_not(scores_mask), scores.dtype), big))
        weights = ops.softmax(scores, axis=-1)
        attended = weights
        if training and self.dropout > 0:
            from keraslite import random

            attended = random.dropout(weights, self.dropout, seed=self.seed_generator)
        result = ops.matmul(attended, value)
        if query_mask is not None:
            result = ops.multiply(result, ops.cast(ops.expand_dims(query_mask, -1),
                                                   result.dtype))
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs, previous_mask=None):
        if not isinstance(previous_mask, (list, tuple)) or previous_mask[0] is None:
            return None
        return previous_mask[0]

    def compute_output_shape(self, input_shape):
        q, v, _ = self._check_inputs(input_shape)
        return q[:-1] + v[-1:]

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive attention: scores ``sum(scale * tanh(q + k))`` with a learned per-feature
    ``scale`` of shape (dim,) when ``use_scale`` (the default).

    Example::

        out = keraslite.layers.AdditiveAttention()([q, v])
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        _, v, k = self._check_inputs(input_shape)
        dim = k[-1] if k[-1] is not None else v[-1]
        if self.use_scale:
            self.scale = self.add_weight(shape=(dim,), initializer="glorot_uniform",
                                         name="scale")
        self.built = True

    def _scores(self, query, key):
        t = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            t = ops.multiply(self._read(self.scale), t)
        return ops.sum(t, axis=-1)

    def get_config(self):
        config_ = super().get_config()
        config_.pop("score_mode")
        return config_
