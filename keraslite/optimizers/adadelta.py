"""Adadelta: per-coordinate steps from running averages of squared gradients and updates."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class Adadelta(Optimizer):
    """``E[g2] = rho E[g2] + (1-rho) g**2``; ``dx = -sqrt(E[dx2]+eps) / sqrt(E[g2]+eps) * g``;
    ``E[dx2] = rho E[dx2] + (1-rho) dx**2``; ``param += lr * dx``."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.rho, self.epsilon = rho, epsilon

    @property
    def slot_names(self):
        return ("accumulated_grad", "accumulated_delta_var")

    def update(self, grad, param, slots, lr, step):
        rho = self.rho
        acc_grad = ops.add(ops.multiply(rho, slots["accumulated_grad"]), ops.multiply(1.0 - rho, ops.square(grad)))
        delta = ops.negative(ops.multiply(
            ops.divide(ops.sqrt(ops.add(slots["accumulated_delta_var"], self.epsilon)),
                       ops.sqrt(ops.add(acc_grad, self.epsilon))), grad))
        acc_delta = ops.add(ops.multiply(rho, slots["accumulated_delta_var"]),
                            ops.multiply(1.0 - rho, ops.square(delta)))
        return (ops.add(param, ops.multiply(lr, delta)),
                {"accumulated_grad": acc_grad, "accumulated_delta_var": acc_delta})

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
