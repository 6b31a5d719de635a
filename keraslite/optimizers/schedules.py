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


ALL_OBJECTS = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, CosineDecay)}


def serialize(schedule) -> dict:
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
