"""PReLU: leaky ReLU whose negative slope is learned per unit."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


class PReLU(Layer):
    """``x`` for ``x >= 0``, ``alpha * x`` otherwise, with a learned ``alpha`` of shape
    ``input_shape[1:]``.

    Args:
        shared_axes: axes (counted with the batch axis as 0) along which ``alpha`` is shared,
            e.g. ``[1, 2]`` for one slope per channel of an image.

    Example::

        layer = keraslite.layers.PReLU(shared_axes=[1, 2])
        y = layer(np.ones((2, 8, 8, 3)))   # weight: alpha (1, 1, 3)
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite import initializers

        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = arg_utils.get("regularizers", alpha_regularizer)
        self.alpha_constraint = arg_utils.get("constraints", alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = [shared_axes] if isinstance(shared_axes, int) else shared_axes
            try:
                axes = list(axes)
            except TypeError:
                raise arg_utils.invalid("PReLU", "shared_axes",
                                        "an int, a list of ints or None", shared_axes) from None
            if not all(isinstance(a, int) and not isinstance(a, bool) and a != 0 for a in axes):
                raise arg_utils.invalid("PReLU", "shared_axes",
                                        "an int, a list of non-zero ints or None", shared_axes)
            self.shared_axes = [int(a) for a in axes]
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            index = axis if axis > 0 else rank + axis
            if not 1 <= index < rank:
                raise ValueError(
                    f"Layer '{self.name}': shared_axes={self.shared_axes} names an axis outside "
                    f"the input. Received: input_shape={tuple(input_shape)}"
                )
            param_shape[index - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f"Layer '{self.name}' needs known sizes for every axis it does not share to "
                f"create alpha. Received: input_shape={tuple(input_shape)}, "
                f"shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(
            shape=tuple(param_shape), initializer=self.alpha_initializer, name="alpha",
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
        )
        axes = {i: d for i, d in enumerate(input_shape) if i > 0 and param_shape[i - 1] != 1}
        self.input_spec = InputSpec(ndim=rank, axes=axes)
        self.built = True

    def call(self, inputs):
        alpha = arg_utils.autocast(self.alpha, self.compute_dtype)
        positive = ops.relu(inputs)
        negative = ops.multiply(ops.negative(alpha), ops.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": arg_utils.serialize("initializers", self.alpha_initializer),
            "alpha_regularizer": arg_utils.serialize("regularizers", self.alpha_regularizer),
            "alpha_constraint": arg_utils.serialize("constraints", self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
