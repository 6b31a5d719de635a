"""Stochastic gradient descent with optional (Nesterov) momentum."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


class SGD(Optimizer):
    """``m = momentum * m - lr * g``; ``param += m`` (Nesterov: ``param += momentum * m - lr * g``).
    Without momentum: ``param -= lr * g``.

    Example::

        opt = keraslite.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="SGD", **kwargs):
        if name == "SGD":
            name = None  # let the base class pick a unique "sgd", "sgd_1", ...
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SGD: `momentum` must be in [0, 1]. Received: momentum={momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    @property
    def slot_names(self):
        return ("momentum",) if self.momentum > 0 else ()

    def update(self, grad, param, slots, lr, step):
        step_size = ops.multiply(lr, grad)
        if self.momentum == 0:
            return ops.subtract(param, step_size), {}
        m = ops.subtract(ops.multiply(self.momentum, slots["momentum"]), step_size)
        if self.nesterov:
            param = ops.subtract(ops.add(param, ops.multiply(self.momentum, m)), step_size)
        else:
            param = ops.add(param, m)
        return param, {"momentum": m}

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
