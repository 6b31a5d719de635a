"""Adam variants: Adamax (infinity norm) and Nadam (Nesterov momentum)."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.variables import Variable
from keraslite.optimizers.base_args import base_args


class Adamax(Optimizer):
    """Adam with the infinity norm: ``u = max(beta_2 * u, |g|)``;
    ``param -= lr * m / ((1 - beta_1**t) * (u + epsilon))``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    @property
    def slot_names(self):
        return ("momentum", "norm")

    def update(self, grad, param, slots, lr, step):
        m = ops.add(slots["momentum"], ops.multiply(1.0 - self.beta_1, ops.subtract(grad, slots["momentum"])))
        u = ops.maximum(ops.multiply(self.beta_2, slots["norm"]), ops.abs(grad))
        correction = ops.subtract(1.0, ops.power(ops.cast(self.beta_1, step.dtype), step))
        update = ops.divide(ops.multiply(lr, m), ops.multiply(correction, ops.add(u, self.epsilon)))
        return ops.subtract(param, update), {"momentum": m, "norm": u}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum and the momentum schedule
    ``u_t = beta_1 * (1 - 0.5 * 0.96**t)`` (kept as the running product ``u_product``)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = Variable(1.0, dtype="float32", trainable=False, name="u_product")
        self._u_product.path = f"{self.name}/u_product"

    @property
    def slot_names(self):
        return ("momentum", "velocity")

    def _extra_variables(self):
        return [self._u_product]

    def _u(self, step):
        return ops.multiply(self.beta_1, ops.subtract(1.0, ops.multiply(0.5, ops.power(0.96, step))))

    def _before_update(self, step):
        step = ops.cast(step, "float32")
        self._u_product.assign(ops.multiply(self._u_product.value, self._u(step)))

    def update(self, grad, param, slots, lr, step):
        u_t, u_next = self._u(step), self._u(ops.add(step, 1.0))
        u_product = ops.cast(self._u_product.value, param.dtype)
        u_product_next = ops.multiply(u_product, u_next)
        m = ops.add(slots["momentum"], ops.multiply(1.0 - self.beta_1, ops.subtract(grad, slots["momentum"])))
        v = ops.add(slots["velocity"],
                    ops.multiply(1.0 - self.beta_2, ops.subtract(ops.square(grad), slots["velocity"])))
        m_hat = ops.add(ops.divide(ops.multiply(u_next, m), ops.subtract(1.0, u_product_next)),
                        ops.divide(ops.multiply(ops.subtract(1.0, u_t), grad), ops.subtract(1.0, u_product)))
        v_hat = ops.divide(v, ops.subtract(1.0, ops.power(ops.cast(self.beta_2, step.dtype), step)))
        update = ops.divide(ops.multiply(lr, m_hat), ops.add(ops.sqrt(v_hat), self.epsilon))
        return ops.subtract(param, update), {"momentum": m, "velocity": v}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
