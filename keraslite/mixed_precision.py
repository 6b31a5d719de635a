"""Mixed precision under Keras's names: dtype policy objects and the global policy.

A policy says which dtype a layer computes in and which dtype its variables are kept in.
``"mixed_bfloat16"`` and ``"mixed_float16"`` compute in 16 bits and keep float32 variables, which
are read in the compute dtype inside ``call``. A policy object, or its name, is accepted anywhere
a layer takes ``dtype``.

Example::

    keraslite.mixed_precision.set_global_policy("mixed_bfloat16")
    layer = keraslite.layers.Dense(4)          # computes in bfloat16, kernel stored in float32
    keraslite.mixed_precision.set_global_policy("float32")
"""
from __future__ import annotations

from keraslite import dtype_policies

_VALID = ("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16")


class DTypePolicy:
    """A named dtype policy with its ``compute_dtype`` and ``variable_dtype``.

    Example::

        policy = keraslite.mixed_precision.Policy("mixed_bfloat16")
        policy.compute_dtype, policy.variable_dtype   # ("bfloat16", "float32")
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policies.global_policy()
        if isinstance(name, DTypePolicy):
            name = name.name
        if not isinstance(name, str) or name not in _VALID:
            raise ValueError(
                f"DTypePolicy: argument `name` must be one of {', '.join(_VALID)}. "
                f"Received: name={name!r}"
            )
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._name.split("_")[1] if self._name.startswith("mixed_") else self._name

    @property
    def variable_dtype(self) -> str:
        return "float32" if self._name.startswith("mixed_") else self._name

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __eq__(self, other):
        if isinstance(other, DTypePolicy):
            return self._name == other._name
        if isinstance(other, str):
            return self._name == other
        return NotImplemented

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


Policy = DTypePolicy


def set_global_policy(policy) -> None:
    """Sets the policy of every layer created afterwards without an explicit ``dtype``
    (a name such as ``"mixed_bfloat16"``, a ``DTypePolicy``, or None to reset to floatx)."""
    if policy is not None and not isinstance(policy, (str, DTypePolicy)):
        raise ValueError(
            "set_global_policy: argument `policy` must be a policy name, a DTypePolicy or None. "
            f"Received: policy={policy!r}"
        )
    if isinstance(policy, str):
        policy = DTypePolicy(policy)  # validates the name with a clear message
    dtype_policies.set_global_policy(None if policy is None else policy.name)


def global_policy() -> DTypePolicy:
    """The current global policy, as a ``DTypePolicy``."""
    return DTypePolicy(dtype_policies.global_policy())


def __getattr__(name):
    # Keras also offers the loss-scaling optimizer here; it lives with the optimizers.
    if name == "LossScaleOptimizer":
        from keraslite.optimizers import LossScaleOptimizer

        return LossScaleOptimizer
    raise AttributeError(f"module 'keraslite.mixed_precision' has no attribute {name!r}")


__all__ = ["DTypePolicy", "Policy", "set_global_policy", "global_policy", "LossScaleOptimizer"]
