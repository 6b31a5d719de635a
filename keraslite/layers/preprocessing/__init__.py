"""Preprocessing layers (usable inside a model)."""

__all__ = []
