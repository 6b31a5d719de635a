"""Learning-rate schedules: callables ``step -> learning rate`` built from ``keraslite.ops``,
so they trace inside a compiled training step."""
from __future__ import annotations

import math

from keraslite import ops


class LearningRateSchedule:
    """Base class. Subclasses implement ``__call__(step)`` and ``get_config``.

    Example::

        class Halving(LearningRateSchedule):
            def __call__(self, step):
                return 0.1 * ops.power(0.5, ops.cast(step, "float32") // 100)
    """

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step).")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config().")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored exponent if
    ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"ExponentialDecay: `decay_steps` must be > 0. Received: {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        progress = ops.divide(ops.cast(step, "float32"), float(self.decay_steps))
        if self.staircase:
            progress = ops.floor(progress)
        return ops.multiply(self.initial_learning_rate,
                            ops.power(ops.cast(self.decay_rate, "float32"), progress))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        progress = ops.divide(ops.cast(step, "float32"), float(self.decay_steps))
        if self.staircase:
            progress = ops.floor(progress)
        return ops.divide(self.initial_learning_rate, ops.add(1.0, ops.multiply(self.decay_rate, progress)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup from ``initial_learning_rate`` to ``warmup_target`` over
    ``warmup_steps``, then cosine decay to ``alpha`` times the peak over ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        if decay_steps <= 0:
            raise ValueError(f"CosineDecay: `decay_steps` must be > 0. Received: {decay_steps}")
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step, peak):
        fraction = ops.divide(step, float(self.decay_steps))
        cosine = ops.multiply(0.5, ops.add(1.0, ops.cos(ops.multiply(math.pi, fraction))))
        return ops.multiply(peak, ops.add(ops.multiply(1.0 - self.alpha, cosine), self.alpha))

    def __call__(self, step):
        step = ops.cast(step, "float32")
        if self.warmup_target is None or not self.warmup_steps:
            return self._decay(ops.minimum(step, float(self.decay_steps)), self.initial_learning_rate)
        step = ops.minimum(step, float(self.decay_steps + self.warmup_steps))
        warm = ops.add(self.initial_learning_rate, ops.multiply(
            self.warmup_target - self.initial_learning_rate, ops.divide(step, float(self.warmup_steps))))
        decayed = self._decay(ops.maximum(ops.subtract(step, float(self.warmup_steps)), 0.0), self.warmup_target)
        return ops.where(ops.less(step, float(self.warmup_steps)), warm, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to ``boundaries[0]``, ``values[1]`` up to ``boundaries[1]``, ... and
    ``values[-1]`` after the last boundary (a step equal to a boundary takes the earlier value)."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: `values` must have one more element than `boundaries`. "
                f"Received: len(boundaries)={len(boundaries)}, len(values)={len(values)}"
            )
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        result = ops.cast(self.values[0], "float32")
        for boundary, value in zip(self.boundaries, self.values[1:]):
            result = ops.where(ops.greater(step, float(boundary)), ops.cast(value, "float32"), result)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``; with ``cycle`` the decay
    restarts, each time over the next multiple of ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"PolynomialDecay: `decay_steps` must be > 0. Received: {decay_steps}")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = ops.where(ops.equal(step, 0.0), 1.0, ops.ceil(ops.divide(step, decay_steps)))
            decay_steps = ops.multiply(decay_steps, multiplier)
        else:
            step = ops.minimum(step, decay_steps)
        remaining = ops.subtract(1.0, ops.divide(step, decay_steps))
        return ops.add(ops.multiply(self.initial_learning_rate - self.end_learning_rate,
                                    ops.power(remaining, float(self.power))), self.end_learning_rate)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power,
                "cycle": self.cycle, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by ``t_mul``, peaks by ``m_mul``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError(
                f"CosineDecayRestarts: `first_decay_steps` must be > 0. Received: {first_decay_steps}")
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        fraction = ops.divide(ops.cast(step, "float32"), float(self.first_decay_steps))
        if self.t_mul == 1.0:
            restarts = ops.floor(fraction)
            fraction = ops.subtract(fraction, restarts)
        else:
            restarts = ops.floor(ops.divide(ops.log(ops.subtract(1.0, ops.multiply(fraction, 1.0 - self.t_mul))),
                                            math.log(self.t_mul)))
            done = ops.divide(ops.subtract(1.0, ops.power(float(self.t_mul), restarts)), 1.0 - self.t_mul)
            fraction = ops.divide(ops.subtract(fraction, done), ops.power(float(self.t_mul), restarts))
        peak = ops.power(float(self.m_mul), restarts)
        cosine = ops.multiply(ops.multiply(0.5, peak), ops.add(1.0, ops.cos(ops.multiply(math.pi, fraction))))
        return ops.multiply(self.initial_learning_rate,
                            ops.add(ops.multiply(1.0 - self.alpha, cosine), self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


ALL_OBJECTS = {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, CosineDecay, PiecewiseConstantDecay, PolynomialDecay,
    CosineDecayRestarts)}


def serialize(learning_rate_schedule) -> dict:
    schedule = learning_rate_schedule  # Keras's parameter name
    return {"module": "keraslite.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> LearningRateSchedule:
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown learning rate schedule: {name!r}. Valid names: {', '.join(sorted(ALL_OBJECTS))}."
        )
    return cls.from_config(dict(config.get("config") or {}))
