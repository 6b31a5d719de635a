"""RMSNormalization: scales each example by the reciprocal root mean square of its features
(Zhang & Sennrich, 2019), with no centring and no bias."""
from __future__ import annotations

import numbers
from typing import List, Union

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.normalization._axes import check_axis_arg, low_precision, resolve_axes


class RMSNormalization(Layer):
    """``x * scale / sqrt(mean(x**2 over axis) + epsilon)``; ``scale`` has the shape of the
    normalized axes. Half-precision inputs are normalized in float32.

    Example::

        norm = keraslite.layers.RMSNormalization()
        y = norm(np.random.rand(2, 5, 8))  # each (example, position) scaled over 8 features
    """

    def __init__(self, axis: Union[int, List[int]] = -1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_arg("RMSNormalization", axis)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or epsilon < 0:
            raise arg_utils.invalid("RMSNormalization", "epsilon", "a float >= 0", epsilon)
        self.epsilon = float(epsilon)
        self.supports_masking = False  # as Keras 3: the mask stops here
        self.scale = None

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = resolve_axes(self, self.axis, ndim, input_shape)
        dims = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in dims):
            raise ValueError(f"Layer '{self.name}' needs known sizes on axis={self.axis}. "
                             f"Received: input_shape={tuple(input_shape)}")
        self.scale = self.add_weight(shape=dims, initializer="ones", name="scale")
        self.input_spec = InputSpec(ndim=ndim, axes={a: input_shape[a] for a in self._axes})
        self.built = True

    def call(self, inputs):
        dtype = ops.standardize_dtype(inputs.dtype)
        x = ops.cast(inputs, "float32") if low_precision(dtype) else inputs
        ndim = len(x.shape)
        mean_square = ops.mean(ops.square(x), axis=tuple(self._axes), keepdims=True)
        shape = [1] * ndim
        for a, size in zip(self._axes, self.scale.shape):
            shape[a] = size
        scale = ops.reshape(ops.cast(self.scale.value, x.dtype), shape)
        out = ops.multiply(ops.multiply(x, ops.rsqrt(ops.add(mean_square, self.epsilon))), scale)
        return ops.cast(out, dtype) if low_precision(dtype) else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
