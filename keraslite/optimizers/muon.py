"""Muon (Jordan et al., 2024): momentum orthogonalized by a Newton-Schulz iteration for 2-D
weights; AdamW for every other variable (biases, norms, embeddings, excluded layers)."""
from __future__ import annotations

import re
from typing import Optional, Sequence

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer
from keraslite.optimizers.base_args import base_args


def _swap_last_axes(x):
    order = list(range(len(x.shape)))
    order[-2], order[-1] = order[-1], order[-2]
    return ops.transpose(x, order)


def orthogonalize(x, steps: int, a: float, b: float, c: float):
    """Approximately U V^T of ``x = U S V^T`` by the quintic Newton-Schulz iteration (run on
    the wide orientation so the Gram matrix is the small one)."""
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = _swap_last_axes(x)
    x = ops.divide(x, ops.add(ops.sqrt(ops.sum(ops.square(x), axis=(-2, -1), keepdims=True)),
                              1e-7))
    for _ in range(steps):
        gram = ops.matmul(x, _swap_last_axes(x))
        poly = ops.add(ops.multiply(b, gram), ops.multiply(c, ops.matmul(gram, gram)))
        x = ops.add(ops.multiply(a, x), ops.matmul(poly, x))
    return _swap_last_axes(x) if tall else x


class Muon(Optimizer):
    """Muon for 2-D weights, AdamW (``adam_*`` arguments) for the rest.

    A variable goes to AdamW when it is not 2-D, when ``exclude_embeddings`` and its path
    contains "embedding", or when its path matches a regex in ``exclude_layers``. Decoupled
    weight decay is ``weight_decay`` for Muon variables and ``adam_weight_decay`` for the rest;
    the Muon step is scaled by ``rms_rate * sqrt(max(rows, cols))`` (None: unscaled).

    Example::

        opt = keraslite.optimizers.Muon(learning_rate=0.02, exclude_layers=["output"])
    """

    def __init__(self, learning_rate=0.001, adam_beta_1: float = 0.9, adam_beta_2: float = 0.999,
                 adam_weight_decay: Optional[float] = 0.004, epsilon: float = 1e-7,
                 weight_decay: Optional[float] = 0.004, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None,
                 exclude_layers: Optional[Sequence[str]] = None, exclude_embeddings: bool = True,
                 muon_a: float = 3.4445, muon_b: float = -4.7750, muon_c: float = 2.0315,
                 adam_lr_ratio: float = 1, momentum: float = 0.95, ns_steps: int = 5,
                 nesterov: bool = True, rms_rate: Optional[float] = 0.2, **kwargs):
        # The base class's decay uses one rate for all variables; Muon has two, applied in
        # ``update`` (same lr, same order: before the step).
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=None,
                         **base_args(locals(), skip=("weight_decay",)), **kwargs)
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, int) or ns_steps < 0:
            raise ValueError("Muon: `ns_steps` must be an int >= 0. "
                             f"Received: ns_steps={ns_steps!r}")
        self.muon_weight_decay, self.adam_weight_decay = weight_decay, adam_weight_decay
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = exclude_embeddings
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum, self.ns_steps = adam_lr_ratio, momentum, ns_steps
        self.nesterov, self.rms_rate = nesterov, rms_rate
        self._plan = iter(())

    @property
    def slot_names(self):
        return ("momentum", "velocity")

    def uses_adamw(self, variable) -> bool:
        """Whether ``variable`` is updated with AdamW rather than Muon."""
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", "") or ""
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def _apply_update(self, grads, variables):
        # ``update`` sees values, not Variables: the base class calls it once per variable in
        # this order, so the per-variable choices are handed over as an iterator.
        self._plan = iter([(self.uses_adamw(v), self._decays(v)) for v in variables])
        super()._apply_update(grads, variables)

    def update(self, grad, param, slots, lr, step):
        adam, decays = next(self._plan)
        decay = self.adam_weight_decay if adam else self.muon_weight_decay
        if decay and decays:
            param = ops.subtract(param, ops.multiply(param, ops.multiply(lr, decay)))
        if adam:
            return self._adamw(grad, param, slots, ops.multiply(lr, self.adam_lr_ratio), step)
        m = ops.add(slots["momentum"], ops.add(grad, ops.multiply(slots["momentum"],
                                                                   self.momentum - 1.0)))
        direction = ops.add(grad, ops.multiply(self.momentum, m)) if self.nesterov else m
        update = ops.multiply(lr, orthogonalize(direction, self.ns_steps, self.muon_a,
                                                self.muon_b, self.muon_c))
        if self.rms_rate is not None:
            scale = (max(param.shape[0], param.shape[1]) ** 0.5) * self.rms_rate
            update = ops.multiply(update, scale)
        return ops.subtract(param, update), {"momentum": m, "velocity": slots["velocity"]}

    def _adamw(self, grad, param, slots, lr, step):
        m = ops.add(slots["momentum"], ops.multiply(1.0 - self.adam_beta_1,
                                                    ops.subtract(grad, slots["momentum"])))
        v = ops.add(slots["velocity"], ops.multiply(
            1.0 - self.adam_beta_2, ops.subtract(ops.square(grad), slots["velocity"])))
        b1 = ops.power(ops.cast(self.adam_beta_1, step.dtype), step)
        b2 = ops.power(ops.cast(self.adam_beta_2, step.dtype), step)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1.0, b2))), ops.subtract(1.0, b1))
        new_param = ops.subtract(param, ops.divide(ops.multiply(m, alpha),
                                                   ops.add(ops.sqrt(v), self.epsilon)))
        return new_param, {"momentum": m, "velocity": v}

    def get_config(self):
        config = super().get_config()
        config["weight_decay"] = self.muon_weight_decay
        return {**config, "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
                "muon_a": self.muon_a, "muon_b": self.muon_b, "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate}
