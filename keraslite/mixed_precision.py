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
from keraslite.dtype_policies import DTypePolicy

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


# Keras's newer names for the same global setting (also keras.config.set_dtype_policy).
set_dtype_policy = set_global_policy
dtype_policy = global_policy


def __getattr__(name):
    # Keras also offers the loss-scaling optimizer here; it lives with the optimizers.
    if name == "LossScaleOptimizer":
        from keraslite.optimizers import LossScaleOptimizer

        return LossScaleOptimizer
    raise AttributeError(f"module 'keraslite.mixed_precision' has no attribute {name!r}")


__all__ = ["DTypePolicy", "Policy", "set_global_policy", "global_policy", "set_dtype_policy",
           "dtype_policy", "LossScaleOptimizer"]
