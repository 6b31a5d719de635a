"""LayerScale: multiplies each channel by a learned factor (Touvron et al., 2021, "Going deeper
with image transformers"), as ConvNeXt's residual branches use it."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class LayerScale(Layer):
    """``x * gamma`` with one learned ``gamma`` per channel (the last axis), starting at
    ``init_values`` (small, e.g. ``1e-6``, so a residual branch starts close to the identity).

    The weight is named ``variable``, as in Keras 3's ConvNeXt, so Keras's weight files load.

    Args:
        init_values: the initial value of every factor.
        projection_dim: the number of channels (the size of the input's last axis).

    Example::

        layer = keraslite.layers.LayerScale(1e-6, 96)
        y = layer(np.ones((2, 7, 7, 96)))   # weight: variable (96,)
    """

    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(init_values, bool) or not isinstance(init_values, numbers.Real):
            raise arg_utils.invalid("LayerScale", "init_values", "a float", init_values)
        self.init_values = float(init_values)
        self.projection_dim = arg_utils.positive_int("LayerScale", "projection_dim",
                                                     projection_dim)
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] != self.projection_dim:
            raise ValueError(
                f"Layer '{self.name}' expects inputs whose last axis has projection_dim="
                f"{self.projection_dim} channels. Received: input_shape={tuple(input_shape)}")
        from keraslite import initializers

        self.gamma = self.add_weight(name="variable", shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values))
        self.built = True

    output_spec_from_shape = True

    def call(self, inputs):
        return ops.multiply(inputs, arg_utils.autocast(self.gamma, self.compute_dtype))

    def compute_output_shape(self, input_shape):
        # The factors fix the last axis (an unknown one broadcasts to projection_dim).
        return tuple(input_shape)[:-1] + (self.projection_dim,)

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}
