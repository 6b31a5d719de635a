"""Adafactor (Shazeer & Stern, 2018): Adam-like steps with the second moment of a matrix kept as
one row and one column vector, so the state is O(rows + cols) instead of O(rows * cols)."""
from __future__ import annotations

from keraslite import ops
from keraslite.initializers import Constant
from keraslite.optimizers.optimizer import Optimizer
from keraslite.variables import Variable, creating_path
from keraslite.optimizers.base_args import base_args


def _rms(x):
    return ops.sqrt(ops.mean(ops.square(x)))


class Adafactor(Optimizer):
    """Adafactor with relative step size ``min(lr, 1 / sqrt(t))`` scaled by the parameter's RMS
    (at least ``epsilon_2``), second-moment decay ``1 - t ** beta_2_decay`` and update clipping
    at RMS ``clip_threshold``. Variables of rank >= 2 keep factored (row, column) statistics.

    Example::

        opt = keraslite.optimizers.Adafactor(learning_rate=1e-2)
    """

    def __init__(self, learning_rate=0.001, beta_2_decay: float = -0.8, epsilon_1: float = 1e-30,
                 epsilon_2: float = 1e-3, clip_threshold: float = 1.0, relative_step: bool =
                 True, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **base_args(locals()),
                         **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    @property
    def slot_names(self):
        return ("row", "column", "velocity")

    def _make_slot(self, var, slot, initial_value=None):
        if slot == "velocity":
            return super()._make_slot(var, slot, initial_value)
        # The factored statistics: mean of squares over the last axis (row) and over the one
        # before it (column); a scalar placeholder for variables of rank < 2.
        shape = tuple(var.shape)
        if len(shape) < 2:
            shape = ()
        elif slot == "row":
            shape = shape[:-1]
        else:
            shape = shape[:-2] + shape[-1:]
        name = f"{var.path.replace('/', '_')}_{slot}"
        with creating_path(f"{self.name}/{slot}/{var.path}"):
            slot_var = Variable(Constant(0.0), shape=shape, dtype=var.dtype, trainable=False,
                                name=name)
        slot_var.path = f"{self.name}/{name}"
        return slot_var

    def update(self, grad, param, slots, lr, step):
        rho = ops.minimum(lr, ops.divide(1.0, ops.sqrt(step)))
        alpha = ops.multiply(ops.maximum(self.epsilon_2, _rms(param)), rho)
        squared = ops.add(ops.square(grad), self.epsilon_1)
        beta_2 = ops.subtract(1.0, ops.power(step, self.beta_2_decay))
        row, column = slots["row"], slots["column"]
        if len(param.shape) >= 2:
            row = ops.add(ops.multiply(beta_2, row),
                          ops.multiply(ops.subtract(1.0, beta_2), ops.mean(squared, axis=-1)))
            column = ops.add(ops.multiply(beta_2, column),
                             ops.multiply(ops.subtract(1.0, beta_2), ops.mean(squared, axis=-2)))
            row_share = ops.divide(row, ops.mean(row, axis=-1, keepdims=True))
            velocity = ops.multiply(ops.expand_dims(row_share, -1), ops.expand_dims(column, -2))
        else:
            velocity = ops.add(ops.multiply(beta_2, slots["velocity"]),
                               ops.multiply(ops.subtract(1.0, beta_2), squared))
        step_dir = ops.divide(grad, ops.sqrt(velocity))
        step_dir = ops.divide(step_dir, ops.maximum(1.0, ops.divide(_rms(step_dir),
                                                                    self.clip_threshold)))
        new_param = ops.subtract(param, ops.multiply(alpha, step_dir))
        return new_param, {"row": row, "column": column, "velocity": velocity}

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
