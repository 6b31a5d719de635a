"""Cropping1D/2D/3D: remove rows (steps, pixels, voxels) from the borders of the input."""
from __future__ import annotations

from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.reshaping.pad_utils import normalize_pairs, spatial_axes


class _Cropping(Layer):
    _rank = 1

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        pairs = normalize_pairs(cls, "cropping", cropping, self._rank)
        self.cropping = pairs[0] if self._rank == 1 else pairs
        # Cropping1D has no data_format in Keras: it always crops axis 1.
        self.data_format = arg_utils.standardize_data_format(cls, data_format) \
            if self._rank > 1 else "channels_last"
        self.input_spec = InputSpec(ndim=self._rank + 2)

    @property
    def _pairs(self):
        return (self.cropping,) if self._rank == 1 else self.cropping

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self._rank), self._pairs):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ValueError(
                    f"Layer '{self.name}' cannot crop {before + after} entries from axis {axis} "
                    f"of size {shape[axis]}: at least one must remain. Received: "
                    f"input_shape={tuple(input_shape)}, cropping={self.cropping}")
            shape[axis] -= before + after
        return tuple(shape)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # validates the cropping against the shape
        self.built = True

    output_spec_from_shape = True

    def call(self, inputs):
        index = [slice(None)] * (self._rank + 2)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self._rank), self._pairs):
            index[axis] = slice(before, -after if after else None)
        return inputs[tuple(index)]

    def get_config(self):
        config = {**super().get_config(), "cropping": self.cropping}
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class Cropping1D(_Cropping):
    """Crops the steps axis of ``(batch, steps, features)``: ``cropping`` int or (start, end).

    Example::

        keraslite.layers.Cropping1D((1, 2))(np.ones((1, 6, 2))).shape   # (1, 3, 2)
    """

    _rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """Crops height and width of an image batch.

    Example::

        keraslite.layers.Cropping2D(((1, 0), (2, 2)))(np.ones((1, 5, 6, 3))).shape
        # (1, 4, 2, 3)
    """

    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial axes of a volume batch.

    Example::

        keraslite.layers.Cropping3D(1)(np.ones((1, 4, 4, 4, 2))).shape   # (1, 2, 2, 2, 2)
    """

    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)
