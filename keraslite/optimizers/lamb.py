"""LAMB: Adam's step rescaled per variable by a trust ratio (You et al., 2019), for large
batches."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class Lamb(Optimizer):
    """Bias-corrected Adam direction ``u = m_hat / (sqrt(v_hat) + epsilon)``, applied as
    ``param -= lr * (||param|| / ||u||) * u`` (ratio 1 where either norm is zero).

    Example::

        opt = keraslite.optimizers.Lamb(learning_rate=1e-3)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon:
                 float = 1e-7, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    @property
    def slot_names(self):
        return ("momentum", "velocity")

    def update(self, grad, param, slots, lr, step):
        m = ops.add(slots["momentum"], ops.multiply(1.0 - self.beta_1,
                                                    ops.subtract(grad, slots["momentum"])))
        v = ops.add(slots["velocity"], ops.multiply(
            1.0 - self.beta_2, ops.subtract(ops.square(grad), slots["velocity"])))
        m_hat = ops.divide(m, ops.subtract(1.0, ops.power(ops.cast(self.beta_1, step.dtype), step)))
        v_hat = ops.divide(v, ops.subtract(1.0, ops.power(ops.cast(self.beta_2, step.dtype), step)))
        direction = ops.divide(m_hat, ops.add(ops.sqrt(v_hat), self.epsilon))
        param_norm = ops.sqrt(ops.sum(ops.square(param)))
        direction_norm = ops.sqrt(ops.sum(ops.square(direction)))
        usable = ops.logical_and(ops.greater(param_norm, 0.0), ops.greater(direction_norm, 0.0))
        ratio = ops.where(usable, ops.divide(param_norm, ops.where(usable, direction_norm, 1.0)),
                          1.0)
        new_param = ops.subtract(param, ops.multiply(ops.multiply(ratio, lr), direction))
        return new_param, {"momentum": m, "velocity": v}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
