"""Dynamic loss scaling for float16 training."""
from __future__ import annotations

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer, run_gated
from keraslite.variables import Variable


class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer: the loss is multiplied by ``dynamic_scale`` before differentiation
    (``scale_loss``), gradients are divided by it in ``apply``. A step whose gradients hold inf or
    NaN is skipped and halves the scale; ``dynamic_growth_steps`` finite steps in a row double it.

    Example::

        opt = LossScaleOptimizer(keraslite.optimizers.SGD(0.1))
        grads = grad_of(opt.scale_loss(loss))
        opt.apply(grads, variables)
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer: `inner_optimizer` must be an Optimizer instance. "
                f"Received: {inner_optimizer!r}"
            )
        if not isinstance(dynamic_growth_steps, int) or dynamic_growth_steps < 1:
            raise ValueError(
                "LossScaleOptimizer: `dynamic_growth_steps` must be a positive int. "
                f"Received: dynamic_growth_steps={dynamic_growth_steps!r}"
            )
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.inner_optimizer = inner_optimizer
        self.initial_scale, self.dynamic_growth_steps = float(initial_scale), dynamic_growth_steps
        self.step_counter = Variable(0, dtype="int64", trainable=False, name="step_counter")
        self.step_counter.path = f"{self.name}/step_counter"
        self.dynamic_scale = Variable(self.initial_scale, dtype="float32", trainable=False,
                                      name="dynamic_scale")
        self.dynamic_scale.path = f"{self.name}/dynamic_scale"

    def build(self, variables):
        self.inner_optimizer.build(variables)
        self._trainable_variables = list(self.inner_optimizer._trainable_variables)
        self.built = True

    @property
    def variables(self):
        return [self.step_counter, self.dynamic_scale] + list(self.inner_optimizer.variables)

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    def scale_loss(self, loss):
        return ops.multiply(loss, ops.cast(self.dynamic_scale.value, ops.dtype(loss)))

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if trainable_variables is None:
            trainable_variables = self.inner_optimizer._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        scale = self.dynamic_scale.value
        finite = None
        for g in grads:
            if g is not None:
                ok = ops.all(ops.isfinite(g))
                finite = ok if finite is None else ops.logical_and(finite, ok)
        unscaled = [None if g is None else
                    ops.where(ops.isfinite(g), ops.divide(g, ops.cast(scale, ops.dtype(g))), ops.zeros_like(g))
                    for g in grads]
        if finite is None:  # no gradients: let the inner optimizer raise its error
            return self.inner_optimizer.apply(unscaled, trainable_variables)
        touched = trainable_variables + list(self.inner_optimizer.variables)
        run_gated(finite, lambda: self.inner_optimizer.apply(unscaled, trainable_variables), touched)
        counter = self.step_counter.value
        grow = ops.greater_equal(counter, self.dynamic_growth_steps - 1)
        self.step_counter.assign(ops.where(finite, ops.where(grow, ops.zeros_like(counter), ops.add(counter, 1)),
                                           ops.zeros_like(counter)))
        self.dynamic_scale.assign(ops.where(finite, ops.where(grow, ops.multiply(scale, 2.0), scale),
                                            ops.divide(scale, 2.0)))
        return self.inner_optimizer.iterations

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from keraslite import optimizers

        return {"name": self.name, "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite import optimizers

        config = dict(config)
        config["inner_optimizer"] = optimizers.deserialize(config["inner_optimizer"], custom_objects)
        return cls(**config)
