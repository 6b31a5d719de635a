"""Dtype policies: the dtype a layer computes in and the dtype its variables are stored in.

``"float32"`` (or any dtype name) computes and stores in that dtype; ``"mixed_float16"`` and
``"mixed_bfloat16"`` compute in the low precision and keep variables in float32.
"""
from __future__ import annotations

from keraslite import config

_global = {"policy": None}


def set_global_policy(policy) -> None:
    name = policy if isinstance(policy, str) or policy is None else policy.name
    valid = ("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16")
    if name is not None and name not in valid:
        raise ValueError(f"Unknown dtype policy {name!r}. Valid policies: {', '.join(valid)}.")
    _global["policy"] = name


def global_policy() -> str:
    return _global["policy"] or config.floatx()


def global_policy_tuple():
    """(variable dtype, compute dtype, policy name) of the global policy."""
    name = global_policy()
    if name.startswith("mixed_"):
        return ("float32", name.split("_")[1], name)
    return (name, name, name)
