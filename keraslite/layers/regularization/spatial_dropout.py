"""SpatialDropout1D/2D/3D: dropout of whole feature maps (channels) instead of single units."""
from __future__ import annotations

from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.regularization.dropout import Dropout


class _SpatialDropout(Dropout):
    _rank = None  # spatial axes

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        name = type(self).__name__
        self.data_format = (arg_utils.standardize_data_format(name, data_format)
                            if self._rank > 1 else "channels_last")
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _checked_noise_shape(self, inputs):
        ones = (1,) * self._rank
        if self.data_format == "channels_first":
            return (None, None) + ones
        return (None,) + ones + (None,)

    def get_config(self):
        config = {**super().get_config()}
        config.pop("noise_shape", None)
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs while training.

    Example::

        y = keraslite.layers.SpatialDropout1D(0.5, seed=1)(np.ones((2, 5, 3)), training=True)
    """

    _rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole channels of 4D image batches while training (``data_format`` says where
    the channels are).

    Example::

        y = keraslite.layers.SpatialDropout2D(0.5, seed=1)(np.ones((2, 4, 4, 3)), training=True)
    """

    _rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops whole channels of 5D volume batches while training.

    Example::

        y = keraslite.layers.SpatialDropout3D(0.5)(np.ones((2, 3, 3, 3, 4)), training=True)
    """

    _rank = 3
