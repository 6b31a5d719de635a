"""Global pooling: the mean or max over all spatial axes."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class _GlobalPooling(Layer):
    output_spec_from_shape = True

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


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps axis: ``(b, steps, c) -> (b, c)``.

    A mask ``(b, steps)`` (from ``Embedding(mask_zero=True)``, ``Masking``, or passed as
    ``mask=``) excludes the masked steps from the mean; the output carries no mask.

    Example::

        keraslite.layers.GlobalAveragePooling1D()(np.ones((2, 5, 3))).shape   # (2, 3)
    """

    _rank = 1
    _reduce = "mean"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps_axis = self._axes[0]
        weights = ops.cast(mask, inputs.dtype)
        weights = ops.expand_dims(weights, 2 if self.data_format == "channels_last" else 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=steps_axis, keepdims=self.keepdims)
        count = ops.sum(weights, axis=steps_axis, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, previous_mask=None):
        return None

    compute_mask.none_without_masks = True  # type: ignore[attr-defined]


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps axis: ``(b, steps, c) -> (b, c)``.

    Example::

        keraslite.layers.GlobalMaxPooling1D()(np.ones((2, 5, 3))).shape   # (2, 3)
    """

    _rank = 1
    _reduce = "max"


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over the three spatial axes: ``(b, d, h, w, c) -> (b, c)``.

    Example::

        keraslite.layers.GlobalAveragePooling3D()(np.ones((2, 3, 4, 5, 3))).shape   # (2, 3)
    """

    _rank = 3
    _reduce = "mean"


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over the three spatial axes: ``(b, d, h, w, c) -> (b, c)``.

    Example::

        keraslite.layers.GlobalMaxPooling3D()(np.ones((2, 3, 4, 5, 3))).shape   # (2, 3)
    """

    _rank = 3
    _reduce = "max"
