"""Global pooling: the mean or max over all spatial axes."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class _GlobalPooling(Layer):
    _rank = 2
    _reduce = "mean"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = arg_utils.standardize_data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    @property
    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._rank))

    def call(self, inputs):
        reduce = ops.mean if self._reduce == "mean" else ops.max
        return reduce(inputs, axis=self._axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: ``(b, h, w, c) -> (b, c)`` (``(b, 1, 1, c)`` with keepdims).

    Example::

        keraslite.layers.GlobalAveragePooling2D()(np.ones((2, 5, 5, 3))).shape   # (2, 3)
    """

    _reduce = "mean"


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width: ``(b, h, w, c) -> (b, c)`` (``(b, 1, 1, c)`` with keepdims).

    Example::

        keraslite.layers.GlobalMaxPooling2D()(np.ones((2, 5, 5, 3))).shape   # (2, 3)
    """

    _reduce = "max"
