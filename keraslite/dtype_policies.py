"""Dtype policies: the dtype a layer computes in and the dtype its variables are stored in.

``"float32"`` (or any dtype name) computes and stores in that dtype; ``"mixed_float16"`` and
``"mixed_bfloat16"`` compute in the low precision and keep variables in float32.

The policy objects have Keras's ``keras.dtype_policies`` names: ``DTypePolicy``,
``FloatDTypePolicy``, ``DTypePolicyMap`` (a policy per layer path) and
``get``/``serialize``/``deserialize``. Quantized policies (int8, int4, float8, GPTQ, AWQ) exist
under their names so that code naming them imports, but keraslite does not quantize: creating
one raises ``NotImplementedError``. Deserializing reads only the policy classes defined here
(nothing is imported by name).
"""
from __future__ import annotations

import re
from collections.abc import MutableMapping

from keraslite import config

_global = {"policy": None}


def set_global_policy(policy) -> None:
    name = policy if isinstance(policy, str) or policy is None else policy.name
    if name is not None and name not in VALID:
        raise ValueError(f"Unknown dtype policy {name!r}. Valid policies: {', '.join(VALID)}.")
    _global["policy"] = name


def global_policy() -> str:
    return _global["policy"] or config.floatx()


def global_policy_tuple():
    """(variable dtype, compute dtype, policy name) of the global policy."""
    name = global_policy()
    if name.startswith("mixed_"):
        return ("float32", name.split("_")[1], name)
    return (name, name, name)


VALID = ("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16")


class DTypePolicy:
    """A named dtype policy with its ``compute_dtype`` and ``variable_dtype``.

    Example::

        policy = keraslite.dtype_policies.DTypePolicy("mixed_bfloat16")
        policy.compute_dtype, policy.variable_dtype   # ("bfloat16", "float32")
    """

    def __init__(self, name=None):
        if name is None:
            name = global_policy()
        if isinstance(name, DTypePolicy):
            name = name.name
        if not isinstance(name, str) or name not in VALID:
            raise ValueError(
                f"DTypePolicy: argument `name` must be one of {', '.join(VALID)}. "
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

    @property
    def quantization_mode(self) -> None:
        """None: keraslite policies never quantize."""
        return None

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


class FloatDTypePolicy(DTypePolicy):
    """The float policy under its older Keras name; behaves as ``DTypePolicy``."""


class _QuantizedPolicy(DTypePolicy):
    """Quantized policies are named for compatibility; constructing one is refused."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__}: keraslite does not support quantized dtype policies "
            "(int8, int4, float8, GPTQ, AWQ). Use a float policy such as 'float32' or "
            "'mixed_bfloat16'."
        )


class QuantizedDTypePolicy(_QuantizedPolicy):
    pass


class QuantizedFloat8DTypePolicy(_QuantizedPolicy):
    pass


class Int4DTypePolicy(_QuantizedPolicy):
    pass


class GPTQDTypePolicy(_QuantizedPolicy):
    pass


class AWQDTypePolicy(_QuantizedPolicy):
    pass


class DTypePolicyMap(MutableMapping):
    """Policies by layer path: a key is an exact path or a regular expression the whole path
    must match (``"encoder/.*"`` for everything under ``encoder``); a path no key matches gets
    ``default_policy``.

    Example::

        policies = DTypePolicyMap(default_policy="float32")
        policies["encoder/dense"] = "mixed_bfloat16"
        policies["encoder/dense"].compute_dtype      # "bfloat16"
    """

    def __init__(self, default_policy=None, policy_map: dict | None = None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("DTypePolicyMap: argument `default_policy` cannot be a "
                             "DTypePolicyMap. Received: a DTypePolicyMap")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError("DTypePolicyMap: argument `policy_map` must be a dict of paths to "
                            f"policies. Received: policy_map={policy_map!r:.80}")
        self._default_policy_arg = default_policy
        self._default = get(default_policy) if default_policy is not None else DTypePolicy()
        self._map: dict[str, DTypePolicy] = {}
        for key, policy in (policy_map or {}).items():
            self[key] = policy

    @property
    def default_policy(self) -> DTypePolicy:
        return self._default

    @property
    def name(self) -> str:
        return self._default.name

    def __getitem__(self, key: str) -> DTypePolicy:
        if key in self._map:
            return self._map[key]
        matches = [pattern for pattern in self._map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"DTypePolicyMap: path {key!r} matches more than one key: "
                             f"{matches}. Make the keys more specific.")
        return self._map[matches[0]] if matches else self._default

    def __setitem__(self, key: str, policy) -> None:
        if not isinstance(key, str):
            raise TypeError(f"DTypePolicyMap: keys must be layer paths (str). Received: {key!r}")
        if key in self._map:
            raise ValueError(f"DTypePolicyMap: the path {key!r} already has a policy "
                             f"({self._map[key]!r}); delete it first to replace it.")
        self._map[key] = get(policy)

    def __delitem__(self, key: str) -> None:
        del self._map[key]

    def __iter__(self):
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def get_config(self) -> dict:
        default = self._default_policy_arg
        if isinstance(default, DTypePolicy):
            default = serialize(default)
        return {"default_policy": default,
                "policy_map": {key: serialize(policy) for key, policy in self._map.items()}}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("default_policy"), dict):
            config["default_policy"] = deserialize(config["default_policy"])
        config["policy_map"] = {key: deserialize(value) if isinstance(value, dict) else value
                                for key, value in (config.get("policy_map") or {}).items()}
        return cls(**config)

    def __repr__(self):
        return f"<DTypePolicyMap default={self._default.name!r} entries={len(self._map)}>"


# A closed table: a config names one of these classes or it is refused.
ALL_OBJECTS = {cls.__name__: cls for cls in (
    DTypePolicy, FloatDTypePolicy, DTypePolicyMap, QuantizedDTypePolicy,
    QuantizedFloat8DTypePolicy, Int4DTypePolicy, GPTQDTypePolicy, AWQDTypePolicy)}


def serialize(policy) -> dict:
    """A policy (or map) as a config dict in Keras's layout."""
    if not isinstance(policy, (DTypePolicy, DTypePolicyMap)):
        raise TypeError("dtype_policies.serialize: argument `policy` must be a DTypePolicy or "
                        f"DTypePolicyMap. Received: {policy!r:.80}")
    module = "keras.dtype_policies" if isinstance(policy, DTypePolicyMap) else "keras"
    return {"module": module, "class_name": type(policy).__name__,
            "config": policy.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None):
    """The policy a config dict (as written by ``serialize``) describes."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise TypeError("dtype_policies.deserialize: argument `config` must be a dict with a "
                        f"'class_name'. Received: config={config!r:.80}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        raise ValueError(f"dtype_policies.deserialize: unknown policy class {name!r}. Known: "
                         f"{', '.join(ALL_OBJECTS)}.")
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise TypeError(f"dtype_policies.deserialize: the 'config' of {name} must be a dict. "
                        f"Received: {inner!r:.80}")
    return cls.from_config(inner)


def get(identifier):
    """A policy from a name (``"mixed_float16"``), a config dict or a policy (returned as is)."""
    if isinstance(identifier, (DTypePolicy, DTypePolicyMap)):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    raise ValueError("Cannot interpret `dtype` argument: expected a policy name (e.g. "
                     "'mixed_float16'), a config dict or a DTypePolicy. "
                     f"Received: dtype={identifier!r:.80}")
