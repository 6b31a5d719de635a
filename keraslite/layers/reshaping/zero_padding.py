"""ZeroPadding1D and ZeroPadding3D: zeros added around sequences and volumes."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.reshaping.pad_utils import normalize_pairs, spatial_axes


class _ZeroPadding(Layer):
    _rank = 1

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        pairs = normalize_pairs(cls, "padding", padding, self._rank)
        self.padding = pairs[0] if self._rank == 1 else pairs
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    @property
    def _pairs(self):
        return (self.padding,) if self._rank == 1 else self.padding

    def call(self, inputs):
        pad = [(0, 0)] * (self._rank + 2)
        for axis, pair in zip(spatial_axes(self.data_format, self._rank), self._pairs):
            pad[axis] = pair
        return ops.pad(inputs, tuple(pad))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self._rank), self._pairs):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis of a 3D input with zeros: ``padding`` is an int or ``(start, end)``.

    Example::

        keraslite.layers.ZeroPadding1D((1, 2))(np.ones((1, 3, 2))).shape   # (1, 6, 2)
    """

    _rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of a 5D input with zeros.

    Example::

        keraslite.layers.ZeroPadding3D(1)(np.ones((1, 2, 2, 2, 1))).shape   # (1, 4, 4, 4, 1)
    """

    _rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)
