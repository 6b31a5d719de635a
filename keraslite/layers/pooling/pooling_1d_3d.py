"""Max and average pooling over one (sequences) or three (volumes) spatial axes."""
from __future__ import annotations

from keraslite.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """1-D max pooling: ``(b, steps, c) -> (b, steps // pool_size, c)`` ("valid").

    Example::

        keraslite.layers.MaxPooling1D()(np.zeros((1, 6, 3))).shape   # (1, 3, 3)
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max",
                         padding=padding, data_format=data_format, name=name,
                         **kwargs)


class AveragePooling1D(BasePooling):
    """1-D average pooling.

    Example::

        keraslite.layers.AveragePooling1D()(np.zeros((1, 6, 3))).shape   # (1, 3, 3)
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="average",
                         padding=padding, data_format=data_format, name=name,
                         **kwargs)


class MaxPooling3D(BasePooling):
    """3-D max pooling.

    Example::

        keraslite.layers.MaxPooling3D()(np.zeros((1, 4, 4, 4, 3))).shape   # (1, 2, 2, 2, 3)
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max",
                         padding=padding, data_format=data_format, name=name,
                         **kwargs)


class AveragePooling3D(BasePooling):
    """3-D average pooling.

    Example::

        keraslite.layers.AveragePooling3D()(np.zeros((1, 4, 4, 4, 3))).shape   # (1, 2, 2, 2, 3)
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average",
                         padding=padding, data_format=data_format, name=name,
                         **kwargs)
