"""Dense: ``activation(inputs @ kernel + bias)`` on the last axis of an input of any rank."""
from __future__ import annotations

from keraslite import ops
from keraslite.backends import nn as backend_nn
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.utils.unsupported_args import require_default


class Dense(Layer):
    """A fully connected layer.

    Args:
        units: size of the last axis of the output.
        activation: activation name or callable (``None``: linear).
        use_bias: whether to add a bias vector.

    Example::

        layer = keraslite.layers.Dense(4, activation="relu")
        y = layer(np.ones((2, 3)))   # shape (2, 4); weights: kernel (3, 4), bias (4,)
    """

    output_spec_from_shape = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        # LoRA and quantization are not implemented: accepted at Keras's default only.
        for key, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                           ("quantization_config", quantization_config)):
            require_default("Dense", key, value)
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        self.units = arg_utils.positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known last axis to create its kernel. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        x = ops.matmul(inputs, self._read(self.kernel))
        if self.bias is not None:
            x = backend_nn.bias_add(x, ops.convert_to_tensor(self._read(self.bias)))
        return self.activation(x) if self.activation is not None else x

    def _read(self, variable):
        """The variable's value in the compute dtype (mixed precision keeps float32 weights)."""
        return arg_utils.autocast(variable, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": arg_utils.serialize("activations", self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
        }
