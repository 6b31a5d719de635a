"""Adamax, Nadam, Adadelta, Lion and Ftrl."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.variables import Variable


class Adamax(Optimizer):
    """Adam with the infinity norm: ``u = max(beta_2 * u, |g|)``;
    ``param -= lr * m / ((1 - beta_1**t) * (u + epsilon))``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
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

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
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


class Adadelta(Optimizer):
    """``E[g2] = rho E[g2] + (1-rho) g**2``; ``dx = -sqrt(E[dx2]+eps) / sqrt(E[g2]+eps) * g``;
    ``E[dx2] = rho E[dx2] + (1-rho) dx**2``; ``param += lr * dx``."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
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


class Lion(Optimizer):
    """``param -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; ``m = beta_2 * m + (1 - beta_2) * g``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
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


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al., 2013) with L1/L2 and L2-shrinkage terms."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
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
