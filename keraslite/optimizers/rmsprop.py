"""RMSprop and Adagrad: step sizes scaled by running squared-gradient statistics."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class RMSprop(Optimizer):
    """``v = rho * v + (1 - rho) * g**2``; ``param -= lr * g / sqrt(v + epsilon)``; with
    ``centered`` the squared mean gradient is subtracted from ``v``; ``momentum`` accumulates
    the increments."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    @property
    def slot_names(self):
        names = ("velocity",)
        if self.momentum > 0:
            names += ("momentum",)
        if self.centered:
            names += ("average_gradient",)
        return names

    def update(self, grad, param, slots, lr, step):
        v = ops.add(ops.multiply(self.rho, slots["velocity"]), ops.multiply(1.0 - self.rho, ops.square(grad)))
        new_slots = {"velocity": v}
        denominator = v
        if self.centered:
            avg = ops.add(ops.multiply(self.rho, slots["average_gradient"]), ops.multiply(1.0 - self.rho, grad))
            new_slots["average_gradient"] = avg
            denominator = ops.subtract(v, ops.square(avg))
        increment = ops.divide(ops.multiply(lr, grad), ops.sqrt(ops.add(denominator, self.epsilon)))
        if self.momentum > 0:
            increment = new_slots["momentum"] = ops.add(ops.multiply(self.momentum, slots["momentum"]), increment)
        return ops.subtract(param, increment), new_slots

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """``acc += g**2``; ``param -= lr * g / sqrt(acc + epsilon)``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    @property
    def slot_names(self):
        return ("accumulator",)

    def slot_initial_value(self, slot_name):
        return self.initial_accumulator_value

    def update(self, grad, param, slots, lr, step):
        acc = ops.add(slots["accumulator"], ops.square(grad))
        step_size = ops.divide(ops.multiply(lr, grad), ops.sqrt(ops.add(acc, self.epsilon)))
        return ops.subtract(param, step_size), {"accumulator": acc}

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
