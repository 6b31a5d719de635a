"""Weight penalties: callables ``weight -> scalar`` added to the training loss."""
from __future__ import annotations

from keraslite import ops


def _check_factor(owner, name, value):
    value = float(value)
    if value < 0.0:
        raise ValueError(f"{owner}: `{name}` must be a non-negative float. Received: {name}={value}")
    return value


class Regularizer:
    """Base class: ``regularizer(weight)`` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor("L1L2", "l1", l1)
        self.l2 = _check_factor("L1L2", "l2", l2)

    def __call__(self, x):
        penalty = ops.zeros_like(ops.sum(x))
        if self.l1:
            penalty = ops.add(penalty, ops.multiply(self.l1, ops.sum(ops.abs(x))))
        if self.l2:
            penalty = ops.add(penalty, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1=0.01):
        self.l1 = _check_factor("L1", "l1", l1)

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)``."""

    def __init__(self, l2=0.01):
        self.l2 = _check_factor("L2", "l2", l2)

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode="rows"``) or columns (``"columns"``) of a 2-D weight towards
    orthogonality: ``factor / 2`` times the mean absolute cosine similarity between distinct pairs.

    ``"rows"`` equals Keras 3. For ``"columns"`` keraslite normalizes each column by its own norm;
    Keras 3.15 divides row i by the norm of column i (it fails on non-square weights), so the two
    differ there on purpose.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check_factor("OrthogonalRegularizer", "factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"OrthogonalRegularizer: `mode` must be 'rows' or 'columns'. Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, x):
        if len(ops.shape(x)) != 2:
            raise ValueError(
                "OrthogonalRegularizer applies to 2-D weights only. "
                f"Received a weight of shape {tuple(ops.shape(x))}."
            )
        if self.mode == "columns":
            x = ops.transpose(x)
        unit = x / ops.maximum(ops.sqrt(ops.sum(ops.square(x), axis=1, keepdims=True)), 1e-12)
        size = ops.shape(unit)[0]
        similarity = ops.matmul(unit, ops.transpose(unit)) * (1.0 - ops.eye(size, dtype=unit.dtype))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.abs(similarity)) / pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}
