"""LeakyReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` otherwise."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers.activations.relu import check_number
from keraslite.layers.layer import Layer


class LeakyReLU(Layer):
    """Leaky rectified linear unit (``alpha=`` is accepted as the older name of
    ``negative_slope``).

    Example::

        keraslite.layers.LeakyReLU(0.1)(np.array([-2.0, 3.0]))   # [-0.2, 3.]
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = check_number("LeakyReLU", "negative_slope", negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
