"""The built-in layers (Keras 3 names, arguments and weight layouts).

Each family package (core, convolutional, ...) lists its layers in its own ``__all__``.
"""
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.serialization import deserialize, serialize
# Not in __all__: Keras keeps it inside InceptionResNetV2; imported so configs can name it.
from keraslite.layers.custom_scale_layer import CustomScaleLayer  # noqa: F401
from keraslite.layers.activations import *  # noqa: F401,F403
from keraslite.layers.attention import *  # noqa: F401,F403
from keraslite.layers.convolutional import *  # noqa: F401,F403
from keraslite.layers.core import *  # noqa: F401,F403
from keraslite.layers.merging import *  # noqa: F401,F403
from keraslite.layers.normalization import *  # noqa: F401,F403
from keraslite.layers.pooling import *  # noqa: F401,F403
from keraslite.layers.preprocessing import *  # noqa: F401,F403
from keraslite.layers.recurrent import *  # noqa: F401,F403
from keraslite.layers.regularization import *  # noqa: F401,F403
from keraslite.layers.reshaping import *  # noqa: F401,F403
from keraslite.layers.core.layer_scale import LayerScale
from keraslite.layers.regularization.stochastic_depth import StochasticDepth
from keraslite.layers import (activations as _a, attention as _at, convolutional as _c,
                              core as _co, merging as _m, normalization as _n, pooling as _p,
                              preprocessing as _pp, recurrent as _r, regularization as _rg,
                              reshaping as _rs)

__all__ = ["Layer", "InputSpec", "deserialize", "serialize"] + [
    name for family in (_a, _at, _c, _co, _m, _n, _p, _pp, _r, _rg, _rs) for name in family.__all__
] + ["LayerScale", "StochasticDepth"]
