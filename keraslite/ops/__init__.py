"""``keraslite.ops``: backend-neutral ops with Keras 3 names and arguments.

Everything here dispatches to the active backend (``KERASLITE_BACKEND``) and accepts
``KerasTensor``s, which turns the call into a node of the functional graph.
"""
from keraslite.ops.core import *  # noqa: F401,F403
from keraslite.ops.math import *  # noqa: F401,F403
from keraslite.ops.nn import *  # noqa: F401,F403
from keraslite.ops.numpy import *  # noqa: F401,F403
from keraslite.ops.linalg import *  # noqa: F401,F403
from keraslite.ops import core as _core_mod, math as _math_mod, nn as _nn_mod, numpy as _numpy_mod
from keraslite.ops import image, linalg  # noqa: F401  (keras.ops.image, .linalg)

# numpy's `shape` wins over nothing: the core `shape` (tuple, symbolic-aware) is the public one
from keraslite.ops.core import shape  # noqa: F401,E402

__all__ = sorted(set(_core_mod.__all__) | set(_math_mod.__all__) | set(_nn_mod.__all__)
                 | set(_numpy_mod.__all__) | set(linalg.__all__))
