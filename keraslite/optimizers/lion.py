"""Lion: sign of an interpolated momentum (Chen et al., 2023)."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class Lion(Optimizer):
    """``param -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; ``m = beta_2 * m + (1 - beta_2) * g``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        if not 0.0 < beta_1 <= 1.0:
            raise ValueError(f"Lion: `beta_1` must be in (0, 1]. Received: beta_1={beta_1}")
        self.beta_1, self.beta_2 = beta_1, beta_2

    @property
    def slot_names(self):
        return ("momentum",)

    def update(self, grad, param, slots, lr, step):
        m = slots["momentum"]
        direction = ops.sign(ops.add(ops.multiply(self.beta_1, m), ops.multiply(1.0 - self.beta_1, grad)))
        new_m = ops.add(ops.multiply(self.beta_2, m), ops.multiply(1.0 - self.beta_2, grad))
        return ops.subtract(param, ops.multiply(lr, direction)), {"momentum": new_m}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
