"""Adam and AdamW."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class Adam(Optimizer):
    """Adam with bias correction folded into the step size (as in Keras)::

        m += (1 - beta_1) * (g - m);  v += (1 - beta_2) * (g**2 - v)
        param -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    With ``amsgrad`` the running maximum of ``v`` replaces ``v`` in the denominator.

    Example::

        opt = keraslite.optimizers.Adam(learning_rate=1e-3)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    @property
    def slot_names(self):
        return ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def update(self, grad, param, slots, lr, step):
        m = ops.add(slots["momentum"], ops.multiply(1.0 - self.beta_1, ops.subtract(grad, slots["momentum"])))
        v = ops.add(slots["velocity"],
                    ops.multiply(1.0 - self.beta_2, ops.subtract(ops.square(grad), slots["velocity"])))
        new_slots = {"momentum": m, "velocity": v}
        if self.amsgrad:
            v = new_slots["velocity_hat"] = ops.maximum(slots["velocity_hat"], v)
        beta_1_power = ops.power(ops.cast(self.beta_1, step.dtype), step)
        beta_2_power = ops.power(ops.cast(self.beta_2, step.dtype), step)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1.0, beta_2_power))),
                           ops.subtract(1.0, beta_1_power))
        update = ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), self.epsilon))
        return ops.subtract(param, update), new_slots

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` defaults to 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if not weight_decay:
            raise ValueError(f"AdamW: `weight_decay` must be a positive float. Received: {weight_decay!r}")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name, weight_decay=weight_decay,
                         **base_args(locals(), skip=("weight_decay",)), **kwargs)
