"""UpSampling1D/2D/3D: repeat (or, in 2D, interpolate) along the spatial axes."""
from __future__ import annotations

import numpy as np

from keraslite import ops
from keraslite.backends import image as backend_image
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.reshaping.pad_utils import spatial_axes


def _bilinear_matrix(length: int, factor: int) -> np.ndarray:
    """``(length * factor, length)`` weights of linear interpolation with half-pixel centers
    (output sample ``i`` sits at input coordinate ``(i + 0.5) / factor - 0.5``, clamped to the
    edges), the rule of ``jax.image.resize`` and ``tf.image.resize`` for upsampling."""
    out = np.zeros((length * factor, length), np.float64)
    for i in range(length * factor):
        x = min(max((i + 0.5) / factor - 0.5, 0.0), length - 1.0)
        lo = int(np.floor(x))
        hi = min(lo + 1, length - 1)
        frac = x - lo
        out[i, lo] += 1.0 - frac
        out[i, hi] += frac
    return out


class _UpSampling(Layer):
    _rank = 1

    def __init__(self, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        size = arg_utils.normalize_tuple(cls, "size", size, self._rank)
        self.size = size[0] if self._rank == 1 else size
        self.data_format = arg_utils.standardize_data_format(cls, data_format) \
            if self._rank > 1 else "channels_last"
        self.input_spec = InputSpec(ndim=self._rank + 2)

    @property
    def _sizes(self):
        return (self.size,) if self._rank == 1 else self.size

    def call(self, inputs):
        x = inputs
        for axis, factor in zip(spatial_axes(self.data_format, self._rank), self._sizes):
            if factor > 1:
                x = ops.repeat(x, factor, axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format, self._rank), self._sizes):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self):
        config = {**super().get_config(), "size": self.size}
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times: ``(b, steps, c) -> (b, steps * size, c)``.

    Example::

        keraslite.layers.UpSampling1D(3)(np.ones((1, 4, 2))).shape   # (1, 12, 2)
    """

    _rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size, **kwargs)


class UpSampling2D(_UpSampling):
    """Upsamples height and width by ``size``; ``interpolation`` is "nearest" (repeat rows and
    columns), "bilinear", "bicubic", "lanczos3" or "lanczos5" (and "area" on the TensorFlow
    backend). The kernels other than nearest and bilinear are the backend's own image
    resampling (``keraslite.ops.image.resize``), as in Keras on the same backend.

    Example::

        keraslite.layers.UpSampling2D(interpolation="bilinear")(np.ones((1, 3, 3, 2))).shape
        # (1, 6, 6, 2)
    """

    _rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size, data_format=data_format, **kwargs)
        value = interpolation.lower() if isinstance(interpolation, str) else interpolation
        allowed = ("nearest",) + tuple(backend_image.INTERPOLATIONS)
        if value not in allowed:
            raise arg_utils.invalid("UpSampling2D", "interpolation",
                                    f"one of {allowed} on this backend", interpolation)
        self.interpolation = value

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        h_axis, w_axis = spatial_axes(self.data_format, 2)
        h, w = inputs.shape[h_axis], inputs.shape[w_axis]
        if h is None or w is None:
            raise ValueError(
                f"Layer '{self.name}' needs known height and width for "
                f"{self.interpolation} upsampling. Received: shape={tuple(inputs.shape)}")
        if self.interpolation != "bilinear":
            return ops.image.resize(inputs, (h * self.size[0], w * self.size[1]),
                                    interpolation=self.interpolation,
                                    data_format=self.data_format)
        dtype = inputs.dtype
        rows = ops.convert_to_tensor(_bilinear_matrix(h, self.size[0]).astype("float32"))
        cols = ops.convert_to_tensor(_bilinear_matrix(w, self.size[1]).astype("float32"))
        rows, cols = ops.cast(rows, dtype), ops.cast(cols, dtype)
        # Two-operand contractions: one spatial axis at a time.
        if self.data_format == "channels_last":
            x = ops.einsum("ih,bhwc->biwc", rows, inputs)
            return ops.einsum("jw,biwc->bijc", cols, x)
        x = ops.einsum("ih,bchw->bciw", rows, inputs)
        return ops.einsum("jw,bciw->bcij", cols, x)

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Repeats each voxel ``size`` times along the three spatial axes.

    Example::

        keraslite.layers.UpSampling3D()(np.ones((1, 2, 2, 2, 1))).shape   # (1, 4, 4, 4, 1)
    """

    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format=data_format, **kwargs)
