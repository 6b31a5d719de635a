"""LayerNormalization: normalizes each example over its feature axes."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.normalization._axes import check_axis_arg, low_precision, resolve_axes


class LayerNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta``, with mean and variance taken per
    example over ``axis`` (an int or a list). ``gamma``/``beta`` have the shape of those axes (in increasing order).

    ``rms_scaling=True`` (as in Keras) skips the centring and ``beta``:
    ``x * gamma / sqrt(var + epsilon)``. Statistics of half-precision inputs are computed in
    float32.

    Example::

        ln = keraslite.layers.LayerNormalization()
        y = ln(np.random.rand(2, 5, 8))   # each (example, position) normalized over 8 features
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 rms_scaling=False, **kwargs):
        super().__init__(**kwargs)
        from keraslite import initializers

        cls = "LayerNormalization"
        self.axis = check_axis_arg(cls, axis)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or epsilon <= 0:
            raise arg_utils.invalid(cls, "epsilon", "a positive float", epsilon)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = arg_utils.get("regularizers", beta_regularizer)
        self.gamma_regularizer = arg_utils.get("regularizers", gamma_regularizer)
        self.beta_constraint = arg_utils.get("constraints", beta_constraint)
        self.gamma_constraint = arg_utils.get("constraints", gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = resolve_axes(self, self.axis, ndim, input_shape)
        dims = [input_shape[a] for a in axes]
        if any(d is None for d in dims):
            raise ValueError(f"Layer '{self.name}' needs known sizes on axis={self.axis}. "
                             f"Received: input_shape={tuple(input_shape)}")
        shape = tuple(dims)  # the normalized axes in increasing order, as in Keras
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         name="gamma", regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        name="beta", regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self._axes = axes
        self.input_spec = InputSpec(ndim=ndim, axes={a: input_shape[a] for a in axes})
        self.built = True

    def _broadcast(self, weight, ndim):
        """A weight over the normalized axes -> broadcastable against the input."""
        shape = [1] * ndim
        for a, size in zip(self._axes, weight.shape):
            shape[a] = size
        return ops.reshape(ops.cast(weight, "float32"), shape)

    output_spec_from_shape = True

    def call(self, inputs):
        dtype = ops.standardize_dtype(inputs.dtype)
        x = ops.cast(inputs, "float32") if low_precision(dtype) else inputs
        ndim = len(inputs.shape)
        axes = tuple(self._axes)
        if self.rms_scaling:
            variance = ops.var(x, axis=axes, keepdims=True)
            out = ops.multiply(x, ops.rsqrt(ops.add(variance, self.epsilon)))
            if self.gamma is not None:
                out = ops.multiply(out, ops.cast(self._broadcast(self.gamma, ndim), x.dtype))
        else:
            mean, variance = ops.moments(x, axes=axes, keepdims=True)
            inv = ops.rsqrt(ops.add(variance, self.epsilon))
            if self.gamma is not None:
                inv = ops.multiply(inv, ops.cast(self._broadcast(self.gamma, ndim), x.dtype))
            out = ops.multiply(ops.subtract(x, mean), inv)
            if self.beta is not None:
                out = ops.add(out, ops.cast(self._broadcast(self.beta, ndim), x.dtype))
        return ops.cast(out, dtype) if low_precision(dtype) else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": arg_utils.serialize("initializers", self.beta_initializer),
            "gamma_initializer": arg_utils.serialize("initializers", self.gamma_initializer),
            "beta_regularizer": arg_utils.serialize("regularizers", self.beta_regularizer),
            "gamma_regularizer": arg_utils.serialize("regularizers", self.gamma_regularizer),
            "beta_constraint": arg_utils.serialize("constraints", self.beta_constraint),
            "gamma_constraint": arg_utils.serialize("constraints", self.gamma_constraint),
        }
