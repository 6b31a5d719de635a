"""MultiHeadAttention: scaled dot-product attention over learned per-head projections."""
from __future__ import annotations

import math
import numbers
import string

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.attention.einsum_dense import EinsumDense
from keraslite.layers.call_context import _lookup_mask
from keraslite.layers.layer import Layer

_LETTERS = string.ascii_lowercase


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def large_negative(dtype):
    """A finite stand-in for -inf that masked scores receive before the softmax."""
    return -3e4 if dtype == "float16" else -1e9


def masked_softmax(scores, mask, axes):
    """Softmax over ``axes``; positions where ``mask`` is False get weight 0 (also when a
    whole row is masked)."""
    if mask is not None:
        mask = ops.cast(mask, "bool")
        scores = ops.where(mask, scores, ops.cast(
            large_negative(ops.standardize_dtype(scores.dtype)), scores.dtype))
    if len(axes) == 1:
        weights = ops.softmax(scores, axis=axes[0])
    else:
        shifted = ops.subtract(scores, ops.stop_gradient(ops.max(scores, axis=axes,
                                                                 keepdims=True)))
        e = ops.exp(shifted)
        weights = ops.divide(e, ops.sum(e, axis=axes, keepdims=True))
    if mask is not None:
        weights = ops.where(mask, weights, ops.zeros_like(weights))
    return weights


def causal_mask(query_len, value_len):
    """(1, T, S) boolean: query position i may attend to value positions j <= i."""
    ones = ops.ones((1, query_len, value_len), dtype="int32")
    return ops.greater_equal(ops.cumsum(ones, axis=-2), ops.cumsum(ones, axis=-1))


def sliding_window_mask(query_len, value_len, window):
    """(1, T, S) boolean band: query position i may attend to value positions j with
    ``|i - j| < window`` (symmetric; AND it with ``causal_mask`` for a causal window)."""
    rows = ops.reshape(ops.arange(query_len, dtype="int32"), (1, query_len, 1))
    cols = ops.reshape(ops.arange(value_len, dtype="int32"), (1, 1, value_len))
    return ops.less(ops.abs(ops.subtract(rows, cols)), window)


class MultiHeadAttention(Layer):
    """Multi-head attention as in "Attention Is All You Need".

    ``query`` (B, T, dim), ``value`` (B, S, dim_v) and ``key`` (default: ``value``) are
    projected to ``num_heads`` heads, attended with ``softmax(q k^T / sqrt(key_dim))`` and
    projected back to the query's last axis (or ``output_shape``).

    ``use_gate=True`` adds a sigmoid gate computed from the query, (B, T, heads, value_dim),
    that multiplies each head's attention output before the output projection (gated
    attention, arXiv:2505.06708). ``sliding_window=w`` lets query position ``i`` attend only to
    positions ``j`` with ``|i - j| < w``; it is combined (AND) with the padding, causal and
    ``attention_mask`` masks, so ``use_causal_mask=True`` gives a causal window.

    Weights, in order (Keras 3 layout): ``query/kernel`` (dim, heads, key_dim), ``query/bias``
    (heads, key_dim), the same for ``key``, then with ``use_gate`` ``gate/kernel``
    (dim, heads, value_dim) and ``gate/bias`` (heads, value_dim), then ``value`` (value_dim),
    ``attention_output/kernel`` (heads, value_dim, dim) and ``attention_output/bias`` (dim,).

    Example::

        mha = keraslite.layers.MultiHeadAttention(num_heads=2, key_dim=8)
        y, scores = mha(q, v, return_attention_scores=True)   # scores: (B, 2, T, S)
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        # flash_attention only picks a kernel in Keras; the result is the same, so it is
        # accepted and the plain computation is used.
        del flash_attention
        super().__init__(**kwargs)
        from keraslite import initializers

        cls = "MultiHeadAttention"
        if not isinstance(use_gate, (bool, np.bool_)):
            raise arg_utils.invalid(cls, "use_gate", "a bool", use_gate)
        self.use_gate = bool(use_gate)
        if sliding_window is not None and (
                isinstance(sliding_window, (bool, np.bool_))
                or not isinstance(sliding_window, numbers.Integral) or sliding_window <= 0):
            raise arg_utils.invalid(cls, "sliding_window", "None or a positive int",
                                    sliding_window)
        self.sliding_window = None if sliding_window is None else int(sliding_window)
        self.num_heads = arg_utils.positive_int(cls, "num_heads", num_heads)
        self.key_dim = arg_utils.positive_int(cls, "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else \
            arg_utils.positive_int(cls, "value_dim", value_dim)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0 <= dropout < 1:
            raise arg_utils.invalid(cls, "dropout", "a float in [0, 1)", dropout)
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None:
            if isinstance(output_shape, numbers.Integral) and not isinstance(output_shape, bool):
                output_shape = (int(output_shape),)
            try:
                output_shape = tuple(int(d) for d in output_shape)
            except (TypeError, ValueError):
                raise arg_utils.invalid(cls, "output_shape", "None, an int or a tuple of ints",
                                        output_shape) from None
            if not output_shape or any(d <= 0 for d in output_shape):
                raise arg_utils.invalid(cls, "output_shape", "None, an int or a tuple of "
                                        "positive ints", output_shape)
        self._output_shape = output_shape
        if attention_axes is not None:
            if isinstance(attention_axes, numbers.Integral) and not isinstance(attention_axes,
                                                                               bool):
                attention_axes = (attention_axes,)
            try:
                attention_axes = tuple(int(a) for a in attention_axes)
            except (TypeError, ValueError):
                raise arg_utils.invalid(cls, "attention_axes", "None, an int or a tuple of ints",
                                        attention_axes) from None
            if not attention_axes or 0 in attention_axes:
                raise arg_utils.invalid(cls, "attention_axes",
                                        "None or non-empty axes other than the batch axis 0",
                                        attention_axes)
        self._attention_axes = attention_axes
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise arg_utils.invalid(cls, "seed", "an int or None", seed)
        self.seed = seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.supports_masking = True
        self.seed_generator = None
        if self.dropout > 0:
            from keraslite.random import SeedGenerator

            self.seed_generator = SeedGenerator(seed)

    @property
    def output_shape(self):
        return self._output_shape

    @property
    def attention_axes(self):
        return self._attention_axes

    # -- build ------------------------------------------------------------------------------
    def _dense(self, equation, output_shape, bias_axes, name):
        return EinsumDense(
            equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
            kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
            dtype=self.dtype_policy, name=name)

    def _projection(self, rank, head_dim, name):
        """(B, ..., dim) -> (B, ..., heads, head_dim)."""
        src = _LETTERS[:rank]
        equation = f"{src},{src[-1]}yz->{src[:-1]}yz"
        return self._dense(equation, (None,) * (rank - 2) + (self.num_heads, head_dim), "yz",
                           name)

    def build(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        rank = len(query_shape)
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) < 3 or len(shape) != rank and what != "query":
                raise ValueError(
                    f"Layer '{self.name}' expects query, value and key of the same rank (at "
                    f"least 3). Received: query shape={query_shape}, {what} shape={shape}")
            if shape[-1] is None:
                raise ValueError(f"Layer '{self.name}' needs a known last axis of its {what}. "
                                 f"Received: {what} shape={shape}")
        axes = self._attention_axes
        if axes is None:
            axes = tuple(range(1, rank - 1))
        else:
            axes = tuple(a + rank if a < 0 else a for a in axes)
            if any(not 1 <= a < rank - 1 for a in axes) or len(set(axes)) != len(axes):
                raise ValueError(
                    f"Layer '{self.name}': attention_axes={self._attention_axes} must name "
                    f"distinct axes between the batch and feature axes of an input of rank "
                    f"{rank}. Received: query shape={query_shape}")
        self._attention_axes = axes
        self.query_dense = self._projection(rank, self.key_dim, "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._projection(rank, self.key_dim, "key")
        self.key_dense.build(key_shape)
        if self.use_gate:
            # Created between key and value, as Keras does, so get_weights/set_weights order
            # and Keras files line up; held as `_gate_dense`, the place Keras files use.
            self._gate_dense = self._projection(rank, self.value_dim, "gate")
            self._gate_dense.build(query_shape)
        else:
            self._gate_dense = None
        self.value_dense = self._projection(rank, self.value_dim, "value")
        self.value_dense.build(value_shape)
        # Attention einsums over the projected rank (rank + 1): batch-like axes keep their
        # letters, the query's attention axes and the key's get distinct ones.
        proj = rank + 1
        q_letters = _LETTERS[:proj]
        k_letters = list(q_letters)
        for i, a in enumerate(axes):
            k_letters[a] = _LETTERS[proj + i]
        k_letters = "".join(k_letters)
        batch_axes = [i for i in range(proj - 1) if i not in axes]
        scores = "".join(q_letters[i] for i in batch_axes) + "".join(q_letters[a] for a in axes) \
            + "".join(k_letters[a] for a in axes)
        self._dot_equation = f"{k_letters},{q_letters}->{scores}"
        self._combine_equation = f"{scores},{k_letters}->{q_letters}"
        self._norm_axes = tuple(range(len(scores) - len(axes), len(scores)))
        out_dims = self._output_shape or (query_shape[-1],)
        src = _LETTERS[:proj]
        out = "".join(_LETTERS[proj + i] for i in range(len(out_dims)))
        self.output_dense = self._dense(f"{src},{src[-2:]}{out}->{src[:-2]}{out}",
                                        (None,) * (rank - 2) + tuple(out_dims), out,
                                        "attention_output")
        self.output_dense.build(query_shape[:-1] + (self.num_heads, self.value_dim))
        self.built = True

    def _build_with_shapes(self, shapes):
        if self.built:
            return
        self._build_input_shape = shapes
        if isinstance(shapes, dict):
            self.build(shapes["query_shape"], shapes.get("value_shape"), shapes.get("key_shape"))
        elif isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
            self.build(*shapes)
        else:
            self.build(shapes)
        self.built = True

    def get_build_config(self):
        shapes = getattr(self, "_build_input_shape", None)
        if shapes is None:
            return None
        if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
            names = ("query_shape", "value_shape", "key_shape")
            return {"input_shape": {n: list(s) for n, s in zip(names, shapes)}}
        return {"input_shape": shapes}

    def build_from_config(self, build_config):
        shapes = (build_config or {}).get("input_shape")
        if shapes is None:
            return
        if isinstance(shapes, dict):
            shapes = [tuple(shapes[n]) for n in ("query_shape", "value_shape", "key_shape")
                      if shapes.get(n) is not None]
        self._build_with_shapes(shapes)

    # -- calling ----------------------------------------------------------------------------
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

    def _as_input(self, x):
        if x is None:
            return None
        x = ops.convert_to_tensor(x)
        if "float" in ops.standardize_dtype(x.dtype) and \
                ops.standardize_dtype(x.dtype) != self.compute_dtype:
            x = ops.cast(x, self.compute_dtype)
        return x

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
        value = self._as_input(value)
        key = value if key is None else self._as_input(key)
        attention_mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                              attention_mask, use_causal_mask)
        gate = ops.sigmoid(self._gate_dense(query)) if self.use_gate else None
        q = self.query_dense(query)
        k = self.key_dense(key)
        v = self.value_dense(value)
        q = ops.multiply(q, ops.cast(1.0 / math.sqrt(float(self.key_dim)), q.dtype))
        scores = ops.einsum(self._dot_equation, k, q)
        if attention_mask is not None:
            # (B, T, S) -> (B, 1, T, S): one axis per batch-like axis the scores have extra.
            for _ in range(len(scores.shape) - len(attention_mask.shape)):
                attention_mask = ops.expand_dims(attention_mask,
                                                 -len(self._attention_axes) * 2 - 1)
        scores = masked_softmax(scores, attention_mask, self._norm_axes)
        weights = scores
        if training and self.dropout > 0:
            from keraslite import random

            weights = random.dropout(scores, self.dropout, seed=self.seed_generator)
        out = ops.einsum(self._combine_equation, weights, v)
        if gate is not None:
            out = ops.multiply(out, gate)
        out = self.output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """Combines padding masks, the causal mask and ``attention_mask`` into one (B, T, S)
        boolean mask (None when there is nothing to mask)."""
        # The query mask is accepted but, as in Keras 3, leaves the attention unchanged: a query
        # row's weights depend only on which keys it may see (checked against Keras 3.15).
        auto = None
        for m in (value_mask, key_mask):
            if m is not None:
                m = ops.expand_dims(ops.cast(m, "bool"), -2)                   # (B, 1, S)
                auto = m if auto is None else ops.logical_and(auto, m)
        if use_causal_mask:
            # ops.shape: a sequence length unknown when traced (None) is a scalar tensor there
            c = causal_mask(ops.shape(query)[1], ops.shape(value)[1])
            auto = c if auto is None else ops.logical_and(auto, c)
        if self.sliding_window is not None:
            w = sliding_window_mask(ops.shape(query)[1], ops.shape(value)[1],
                                    self.sliding_window)
            auto = w if auto is None else ops.logical_and(auto, w)
        if auto is not None and len(query.shape) != 3:
            raise ValueError(
                f"Layer '{self.name}': padding, causal and sliding-window masks need query and "
                f"value of rank 3. Received: query shape={tuple(query.shape)}, "
                f"value shape={tuple(value.shape)}")
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
            expected = (None,) + tuple(query.shape[1:-1]) + tuple(value.shape[1:-1])
            shape = tuple(attention_mask.shape)
            ok = len(shape) in (len(expected), len(expected) - 1) and all(
                a is None or b is None or a == 1 or a == b
                for a, b in zip(shape[::-1], expected[::-1]))
            if not ok:
                raise ValueError(
                    f"Layer '{self.name}' expected attention_mask of shape {expected} (batch, "
                    f"query axes, value axes). Received: attention_mask shape={shape}")
            auto = attention_mask if auto is None else ops.logical_and(auto, attention_mask)
        return auto

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            return previous_mask[0] if previous_mask else None
        return previous_mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if query_shape and isinstance(query_shape[0], (list, tuple)):
            query_shape = tuple(query_shape[0])
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_config(self):
        axes = self._attention_axes
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "output_shape": None if self._output_shape is None else list(self._output_shape),
            "attention_axes": None if axes is None else list(axes),
            "sliding_window": self.sliding_window,
            "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
            "seed": self.seed,
        }
