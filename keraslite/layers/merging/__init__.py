"""Merging layers."""
from keraslite.layers.merging.base_merge import BaseMerge
from keraslite.layers.merging.add import Add
from keraslite.layers.merging.concatenate import Concatenate

__all__ = ["BaseMerge", "Add", "Concatenate"]
