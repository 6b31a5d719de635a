"""ActivityRegularization: adds an L1/L2 penalty on its input to the model's losses."""
from __future__ import annotations

import numbers

from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds ``l1 * sum(|x|) + l2 * sum(x**2)``, divided by the
    batch size (as in Keras 3), as a loss.

    Example::

        layer = keraslite.layers.ActivityRegularization(l1=0.01)
        y = layer(x)          # y is x; layer.losses holds the penalty of this call
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        from keraslite import regularizers

        for arg, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
                raise arg_utils.invalid("ActivityRegularization", arg, "a non-negative float",
                                        value)
        self.l1 = float(l1)
        self.l2 = float(l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
