"""AveragePooling2D: the mean of each window over the two spatial axes."""
from __future__ import annotations

from keraslite.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """2-D average pooling.

    Example::

        keraslite.layers.AveragePooling2D()(np.zeros((1, 4, 4, 3))).shape   # (1, 2, 2, 3)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average",
                         padding=padding, data_format=data_format, name=name,
                         **kwargs)
