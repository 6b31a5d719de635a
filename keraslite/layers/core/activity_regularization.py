"""ActivityRegularization: adds an L1/L2 penalty on its input to the model's losses."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def add_batch_mean_activity_loss(layer, outputs) -> None:
    """Adds ``layer.activity_regularizer(outputs)`` divided by the batch size, as Keras 3 does,
    so the penalty's strength does not depend on the batch size.

    Symbolic calls (on KerasTensors) add nothing: they only describe shapes.
    """
    from keraslite.ops.keras_tensor import KerasTensor

    reg = getattr(layer, "activity_regularizer", None)
    if reg is None or outputs is None or isinstance(outputs, KerasTensor):
        return
    loss = reg(outputs)
    if len(outputs.shape) > 0:
        batch = ops.cast(ops.shape(outputs)[0], ops.dtype(loss))
        loss = ops.divide(loss, ops.maximum(batch, 1.0))
    layer.add_loss(loss)


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

    def __call__(self, *args, **kwargs):
        outputs = super().__call__(*args, **kwargs)
        add_batch_mean_activity_loss(self, outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
