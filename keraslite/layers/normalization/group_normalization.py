"""GroupNormalization: normalizes each example over groups of channels."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.layers.normalization._axes import low_precision, resolve_axes


class GroupNormalization(Layer):
    """Splits the channels (``axis``) into ``groups`` groups and normalizes each example's
    group over its channels and all non-batch axes, then applies per-channel ``gamma``/``beta``.
    ``groups=-1`` gives one group per channel (instance normalization); ``groups=1`` layer
    normalization over all axes.

    Example::

        gn = keraslite.layers.GroupNormalization(groups=2)
        y = gn(np.random.rand(2, 8, 8, 4))   # 2 groups of 2 channels
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import initializers

        cls = "GroupNormalization"
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) \
                or (groups <= 0 and groups != -1):
            raise arg_utils.invalid(cls, "groups", "a positive int or -1", groups)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise arg_utils.invalid(cls, "axis", "an int", axis)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or epsilon <= 0:
            raise arg_utils.invalid(cls, "epsilon", "a positive float", epsilon)
        self.groups = int(groups)
        self.axis = int(axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
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
        (axis,) = resolve_axes(self, self.axis, ndim, input_shape)
        if axis == 0:
            raise ValueError(f"Layer '{self.name}' cannot group the batch axis. Received: "
                             f"axis={self.axis}, input_shape={tuple(input_shape)}")
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"Layer '{self.name}' needs a known size on axis={self.axis}. "
                             f"Received: input_shape={tuple(input_shape)}")
        groups = dim if self.groups == -1 else self.groups
        if groups > dim or dim % groups:
            raise ValueError(
                f"Layer '{self.name}': the {dim} channels on axis={self.axis} cannot be split "
                f"into groups={self.groups} equal groups. Received: "
                f"input_shape={tuple(input_shape)}")
        self._groups = groups
        self._axis_index = axis
        if self.scale:
            self.gamma = self.add_weight(shape=(dim,), initializer=self.gamma_initializer,
                                         name="gamma", regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=(dim,), initializer=self.beta_initializer,
                                        name="beta", regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.input_spec = InputSpec(ndim=ndim, axes={axis: dim})
        self.built = True

    def call(self, inputs):
        dtype = ops.standardize_dtype(inputs.dtype)
        x = ops.cast(inputs, "float32") if low_precision(dtype) else inputs
        shape = ops.shape(x)
        ndim = len(shape)
        axis, groups = self._axis_index, self._groups
        dim = shape[axis]
        grouped_shape = list(shape[:axis]) + [groups, dim // groups] + list(shape[axis + 1:])
        grouped_shape[0] = -1
        grouped = ops.reshape(x, grouped_shape)
        reduce = tuple(i for i in range(1, ndim + 1) if i != axis)
        mean, variance = ops.moments(grouped, axes=reduce, keepdims=True)
        normalized = ops.multiply(ops.subtract(grouped, mean),
                                  ops.rsqrt(ops.add(variance, self.epsilon)))
        out = ops.reshape(normalized, [-1] + list(shape[1:]))
        bshape = [1] * ndim
        bshape[axis] = dim
        if self.gamma is not None:
            out = ops.multiply(out, ops.reshape(ops.cast(self.gamma, out.dtype), bshape))
        if self.beta is not None:
            out = ops.add(out, ops.reshape(ops.cast(self.beta, out.dtype), bshape))
        return ops.cast(out, dtype) if low_precision(dtype) else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": arg_utils.serialize("initializers", self.beta_initializer),
            "gamma_initializer": arg_utils.serialize("initializers", self.gamma_initializer),
            "beta_regularizer": arg_utils.serialize("regularizers", self.beta_regularizer),
            "gamma_regularizer": arg_utils.serialize("regularizers", self.gamma_regularizer),
            "beta_constraint": arg_utils.serialize("constraints", self.beta_constraint),
            "gamma_constraint": arg_utils.serialize("constraints", self.gamma_constraint),
        }
