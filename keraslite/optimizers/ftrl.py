"""Ftrl: Follow The Regularized Leader."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al., 2013) with L1/L2 and L2-shrinkage terms."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        for arg, value in (("initial_accumulator_value", initial_accumulator_value),
                           ("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"Ftrl: `{arg}` must be >= 0. Received: {arg}={value}")
        if learning_rate_power > 0.0:
            raise ValueError(
                f"Ftrl: `learning_rate_power` must be <= 0. Received: learning_rate_power={learning_rate_power}")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    @property
    def slot_names(self):
        return ("accumulator", "linear")

    def slot_initial_value(self, slot_name):
        return self.initial_accumulator_value if slot_name == "accumulator" else 0.0

    def update(self, grad, param, slots, lr, step):
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = ops.add(self.l2_regularization_strength, ops.divide(self.beta, ops.multiply(2.0, lr)))
        shrunk = ops.add(grad, ops.multiply(2.0 * self.l2_shrinkage_regularization_strength, param))
        acc = slots["accumulator"]
        new_acc = ops.add(acc, ops.square(grad))
        sigma = ops.divide(ops.subtract(ops.power(new_acc, power), ops.power(acc, power)), lr)
        linear = ops.subtract(ops.add(slots["linear"], shrunk), ops.multiply(sigma, param))
        quadratic = ops.add(ops.divide(ops.power(new_acc, power), lr), ops.multiply(2.0, l2))
        new_param = ops.divide(ops.subtract(ops.clip(linear, -l1, l1), linear), quadratic)
        return new_param, {"accumulator": new_acc, "linear": linear}

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
