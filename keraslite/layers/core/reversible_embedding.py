"""ReversibleEmbedding: an Embedding that also maps vectors back to vocabulary logits, with
the same (tied) or a separate matrix: the input and output embeddings of a language model."""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """``layer(ids)`` embeds as ``Embedding``; ``layer(vectors, reverse=True)`` gives logits
    ``vectors @ embeddings.T`` (``tie_weights=True``) or ``vectors @ reverse_embeddings``
    (a separate ``(output_dim, input_dim)`` weight). ``logit_soft_cap`` bounds the logits
    smoothly: ``cap * tanh(logits / cap)``; ``reverse_dtype`` is the dtype of that matmul.

    Example::

        embed = ReversibleEmbedding(1000, 64)
        hidden = embed(token_ids)                # (batch, length, 64)
        logits = embed(hidden, reverse=True)     # (batch, length, 1000)
    """

    def __init__(self, input_dim: int, output_dim: int, tie_weights: bool = True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero: bool = False,
                 reverse_dtype: Optional[str] = None, logit_soft_cap: Optional[float] = None,
                 **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        if logit_soft_cap is not None and (
                isinstance(logit_soft_cap, bool) or not isinstance(logit_soft_cap, numbers.Real)
                or logit_soft_cap <= 0):
            raise arg_utils.invalid("ReversibleEmbedding", "logit_soft_cap",
                                    "a positive number or None", logit_soft_cap)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer, name="reverse_embeddings")

    def call(self, inputs, reverse: bool = False):
        if not reverse:
            return super().call(inputs)
        if inputs.shape[-1] is not None and inputs.shape[-1] != self.output_dim:
            raise ValueError(f"Layer '{self.name}' (reverse=True) expects vectors of size "
                             f"{self.output_dim} on the last axis. "
                             f"Received: shape={tuple(inputs.shape)}")
        if self.tie_weights:
            kernel = ops.transpose(self.embeddings.value)
        else:
            kernel = self.reverse_embeddings.value
        dtype = self.reverse_dtype or self.compute_dtype
        logits = ops.matmul(ops.cast(inputs, dtype), ops.cast(kernel, dtype))
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def compute_mask(self, inputs, previous_mask=None):
        # Token ids carry a mask (with mask_zero); logits from reverse=True do not. The
        # call's arguments are not seen here, so the input dtype tells the two apart.
        if "int" not in ops.standardize_dtype(inputs.dtype):
            return None
        return super().compute_mask(inputs, previous_mask)

    def compute_output_shape(self, input_shape, reverse: bool = False):
        if reverse:
            return tuple(input_shape)[:-1] + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
