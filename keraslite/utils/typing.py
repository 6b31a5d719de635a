"""Type aliases shared by the public API's type hints.

They document intent; none is checked at run time. This module imports nothing from keraslite
or from a backend, so any part of the library can use it.
"""
from __future__ import annotations

from os import PathLike
from typing import Any

# A tensor shape: one entry per axis, None for an axis whose size is not known yet (the batch
# axis of a symbolic input, for example).
Shape = tuple[int | None, ...]

# A shape, or a nested list/tuple/dict of shapes for a layer with several inputs. ``Any`` because
# the nesting is arbitrary and Python's type system cannot spell a recursive structure simply.
ShapeLike = Any

# A backend array (jax.Array or tf.Tensor), a NumPy array, a Python number, or a Variable. It is
# ``Any`` because the backend's array type is only known once the backend is chosen.
TensorLike = Any

# A nested list/tuple/dict of tensors, the inputs or outputs of a layer call.
TensorTree = Any

# A layer or model config: JSON-compatible data.
Config = dict[str, Any]

# A file path as ``open`` accepts it.
FilePath = str | PathLike[str]

__all__ = ["Config", "FilePath", "Shape", "ShapeLike", "TensorLike", "TensorTree"]
