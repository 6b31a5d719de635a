"""Attention layers (and EinsumDense, the projection they are built from)."""
from keraslite.layers.attention.attention import AdditiveAttention, Attention
from keraslite.layers.attention.einsum_dense import EinsumDense
from keraslite.layers.attention.group_query_attention import GroupQueryAttention
from keraslite.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["Attention", "AdditiveAttention", "EinsumDense", "MultiHeadAttention",
           "GroupQueryAttention"]
