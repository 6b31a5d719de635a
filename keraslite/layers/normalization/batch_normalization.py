"""BatchNormalization: normalizes with batch statistics while training, moving ones otherwise."""
from __future__ import annotations

import numbers

from keraslite import backend, ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.utils.unsupported_args import require_default


class BatchNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` along the feature ``axis``.

    With ``training=True`` (and a trainable layer) ``mean``/``var`` are the batch's, and the
    moving statistics move towards them: ``moving = moving * momentum + batch * (1 - momentum)``.
    Otherwise the moving statistics are used. Setting ``trainable=False`` freezes the layer in
    inference mode, as in Keras (the usual choice when fine-tuning).

    Weights, in order: ``gamma`` (if ``scale``), ``beta`` (if ``center``), ``moving_mean``,
    ``moving_variance``.

    Example::

        bn = keraslite.layers.BatchNormalization()
        y = bn(np.random.rand(8, 3), training=True)   # also updates the moving statistics
    """

    output_spec_from_shape = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                 synchronized=False, **kwargs):
        # Batch renormalization is not implemented: accepted at Keras's defaults only.
        require_default("BatchNormalization", "renorm", renorm, False)
        require_default("BatchNormalization", "renorm_clipping", renorm_clipping)
        require_default("BatchNormalization", "renorm_momentum", renorm_momentum, 0.99)
        super().__init__(**kwargs)
        from keraslite import initializers

        cls = "BatchNormalization"
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # Keras accepts a one-axis list in saved configs
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise arg_utils.invalid(cls, "axis", "an int", axis)
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) \
                or not 0 <= momentum <= 1:
            raise arg_utils.invalid(cls, "momentum", "a float in [0, 1]", momentum)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or epsilon <= 0:
            raise arg_utils.invalid(cls, "epsilon", "a positive float", epsilon)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = arg_utils.get("regularizers", beta_regularizer)
        self.gamma_regularizer = arg_utils.get("regularizers", gamma_regularizer)
        self.beta_constraint = arg_utils.get("constraints", beta_constraint)
        self.gamma_constraint = arg_utils.get("constraints", gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None

    def _feature_axis(self, ndim):
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if not 0 <= axis < ndim:
            raise ValueError(
                f"Layer '{self.name}' normalizes along axis={self.axis}, which does not exist for "
                f"an input of rank {ndim}.")
        return axis

    def build(self, input_shape):
        ndim = len(input_shape)
        axis = self._feature_axis(ndim)
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known size on axis {self.axis}. "
                f"Received: input_shape={tuple(input_shape)}")
        shape = (dim,)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         name="gamma", regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        name="beta", regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(
            shape=shape, initializer=self.moving_variance_initializer, name="moving_variance",
            trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={axis: dim})
        self._reduction_axes = tuple(i for i in range(ndim) if i != axis)
        self._axis_index = axis
        self.built = True

    def call(self, inputs, training=None, mask=None):
        compute_dtype = backend.standardize_dtype(inputs.dtype)
        # Statistics of half-precision inputs are computed in float32 for stability.
        low_precision = compute_dtype in ("float16", "bfloat16")
        x = ops.cast(inputs, "float32") if low_precision else inputs
        if training and self.trainable:
            mean, variance = ops.moments(x, axes=self._reduction_axes)
            m = self.momentum
            self.moving_mean.assign(
                ops.add(ops.multiply(self.moving_mean, m), ops.multiply(mean, 1.0 - m)))
            self.moving_variance.assign(
                ops.add(ops.multiply(self.moving_variance, m), ops.multiply(variance, 1.0 - m)))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        outputs = ops.batch_normalization(
            x, mean, variance, axis=self._axis_index, offset=self.beta, scale=self.gamma,
            epsilon=self.epsilon)
        return ops.cast(outputs, compute_dtype) if low_precision else outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": arg_utils.serialize("initializers", self.beta_initializer),
            "gamma_initializer": arg_utils.serialize("initializers", self.gamma_initializer),
            "moving_mean_initializer": arg_utils.serialize("initializers",
                                                           self.moving_mean_initializer),
            "moving_variance_initializer": arg_utils.serialize("initializers",
                                                               self.moving_variance_initializer),
            "beta_regularizer": arg_utils.serialize("regularizers", self.beta_regularizer),
            "gamma_regularizer": arg_utils.serialize("regularizers", self.gamma_regularizer),
            "beta_constraint": arg_utils.serialize("constraints", self.beta_constraint),
            "gamma_constraint": arg_utils.serialize("constraints", self.gamma_constraint),
            "synchronized": self.synchronized,
        }
