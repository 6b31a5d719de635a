"""Schedule-free AdamW (Defazio et al., 2024): no learning-rate schedule; the weights are an
interpolation between a fast Adam-style iterate ``z`` and its running average ``x``."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class ScheduleFreeAdamW(Optimizer):
    """Keeps ``z`` (slot "momentum", starting at the weights) and the second moment. The model's
    weights are ``y = (1 - beta_1) z + beta_1 x``, where ``x`` is the uniform average of the
    ``z`` iterates; ``x`` is recovered from ``y`` and ``z`` each step rather than stored.

    Example::

        opt = keraslite.optimizers.ScheduleFreeAdamW(learning_rate=2.5e-3, warmup_steps=100)
    """

    def __init__(self, learning_rate=0.0025, beta_1: float = 0.9, beta_2: float = 0.999, epsilon:
                 float = 1e-8, warmup_steps: int = 0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or warmup_steps < 0:
            raise ValueError("ScheduleFreeAdamW: `warmup_steps` must be an int >= 0. "
                             f"Received: warmup_steps={warmup_steps!r}")
        if not 0.0 < beta_1 < 1.0:
            raise ValueError(f"ScheduleFreeAdamW: `beta_1` must be in (0, 1). Received: {beta_1!r}")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.warmup_steps = warmup_steps

    @property
    def slot_names(self):
        return ("momentum", "velocity")

    def _make_slot(self, var, slot, initial_value=None):
        if slot == "momentum" and initial_value is None:
            initial_value = var.value  # z starts at the weights
        return super()._make_slot(var, slot, initial_value)

    def update(self, grad, param, slots, lr, step):
        if self.warmup_steps > 0:
            lr = ops.multiply(lr, ops.minimum(ops.divide(step, float(self.warmup_steps)), 1.0))
        z_old = slots["momentum"]
        v = ops.add(slots["velocity"], ops.multiply(
            1.0 - self.beta_2, ops.subtract(ops.square(grad), slots["velocity"])))
        correction = ops.subtract(1.0, ops.power(ops.cast(self.beta_2, step.dtype), step))
        denominator = ops.add(ops.sqrt(ops.divide(v, correction)), self.epsilon)
        z = ops.subtract(z_old, ops.divide(ops.multiply(lr, grad), denominator))
        x_old = ops.divide(ops.subtract(param, ops.multiply(1.0 - self.beta_1, z_old)),
                           self.beta_1)
        weight = ops.divide(1.0, step)
        x = ops.add(ops.multiply(ops.subtract(1.0, weight), x_old), ops.multiply(weight, z))
        y = ops.add(ops.multiply(1.0 - self.beta_1, z), ops.multiply(self.beta_1, x))
        return y, {"momentum": z, "velocity": v}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "warmup_steps": self.warmup_steps}
