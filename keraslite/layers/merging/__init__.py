"""Merging layers."""
from keraslite.layers.merging.base_merge import BaseMerge
from keraslite.layers.merging.add import Add
from keraslite.layers.merging.concatenate import Concatenate
from keraslite.layers.merging.elementwise import Average, Maximum, Minimum, Multiply, Subtract
from keraslite.layers.merging.dot import Dot
from keraslite.layers.merging.functional_helpers import (
    add, average, concatenate, dot, maximum, minimum, multiply, subtract,
)

__all__ = ["BaseMerge", "Add", "Concatenate", "Subtract", "Multiply", "Average", "Maximum",
           "Minimum", "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
           "concatenate", "dot"]
