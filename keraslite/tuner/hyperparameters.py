"""HyperParameters: KerasTuner's define-by-run search space, as plain data (no Optuna here).

A ``HyperParameters`` object answers ``hp.Int(...)``, ``hp.Choice(...)`` and friends in one of
two modes:

* record mode (no source): every call returns its default and the space is recorded, which is
  how ``search_space_summary()`` and the default model are built without a trial;
* trial mode: every call is forwarded to a *source* (the search engine's adapter over an Optuna
  trial) that picks the value.

Optuna wants one distribution per parameter name in a study, but a KerasTuner space may use one
name under different conditions (``units`` of a CNN branch and ``units`` of an MLP branch, with
different ranges). Each hyperparameter therefore has a ``key``: its name, plus the conditions it
sits under. The key is what the engine sees; ``values`` and ``get`` speak the user's names.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence

_KINDS = ("int", "float", "choice", "boolean", "fixed")
_SAMPLINGS = ("linear", "log", "reverse_log")


class HyperParameterNotFound(ValueError, KeyError):
    """Raised by ``HyperParameters.get`` for a name that was never defined."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True)
class Condition:
    """Active when the hyperparameter ``parent`` currently has one of ``values``."""

    parent: str
    values: tuple

    def describe(self) -> str:
        return f"{self.parent}={'|'.join(str(v) for v in self.values)}"


@dataclass(frozen=True)
class HyperParameter:
    """One entry of the search space (plain data, JSON-serializable through ``to_dict``)."""

    name: str
    kind: str
    config: dict = field(hash=False, compare=True)
    conditions: tuple = ()

    @property
    def key(self) -> str:
        """The engine's parameter name: the name, plus the conditions it is defined under."""
        if not self.conditions:
            return self.name
        return f"{self.name}[{';'.join(c.describe() for c in self.conditions)}]"

    @property
    def default(self) -> Any:
        return self.config["default"]

    def discrete_values(self) -> Optional[list]:
        """Every value this entry can take, or None for a continuous range."""
        c = self.config
        if self.kind == "choice":
            return list(c["values"])
        if self.kind == "boolean":
            return [False, True]
        if self.kind == "fixed":
            return [c["value"]]
        if "values" in c:  # log sampling with a multiplicative step
            return list(c["values"])
        if self.kind == "int":
            return list(range(c["min_value"], c["max_value"] + 1, c["step"] or 1))
        if c["step"] is None:
            return None
        count = int(math.floor((c["max_value"] - c["min_value"]) / c["step"] + 1e-9)) + 1
        return [round(c["min_value"] + i * c["step"], 12) for i in range(count)]

    def to_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "config": dict(self.config),
            "conditions": [[c.parent, list(c.values)] for c in self.conditions],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "HyperParameter":
        config = dict(data["config"])
        for list_key in ("values",):
            if list_key in config and config[list_key] is not None:
                config[list_key] = list(config[list_key])
        conditions = tuple(Condition(p, tuple(v)) for p, v in data.get("conditions", ()))
        return cls(data["name"], data["kind"], config, conditions)

    def summary(self) -> str:
        label = {"int": "Int", "float": "Float", "choice": "Choice", "boolean": "Boolean",
                 "fixed": "Fixed"}[self.kind]
        shown = {k: v for k, v in self.config.items() if v is not None}
        if self.conditions:
            shown["conditions"] = [c.describe() for c in self.conditions]
        return f"{self.name} ({label})\n{shown}"


# A source picks a value for an entry: ``source(entry) -> value`` (the engine's trial adapter).
Source = Callable[[HyperParameter], Any]


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"A hyperparameter name must be a non-empty string. Received: {name!r}")
    return name


def _check_number(name: str, arg: str, value: Any, integer: bool) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        wanted = "an int" if integer else "a number"
        raise TypeError(
            f"Hyperparameter '{name}': {arg} must be {wanted}. Received: {arg}={value!r}")


def _check_sampling(name: str, sampling: Optional[str], min_value: float) -> str:
    sampling = "linear" if sampling is None else str(sampling).lower()
    if sampling not in _SAMPLINGS:
        raise ValueError(f"Hyperparameter '{name}': sampling must be one of {_SAMPLINGS}. "
                         f"Received: sampling={sampling!r}")
    if sampling != "linear" and min_value <= 0:
        raise ValueError(f"Hyperparameter '{name}': {sampling} sampling needs min_value > 0. "
                         f"Received: min_value={min_value!r}")
    return sampling


def _log_steps(name: str, min_value: float, max_value: float, step: float) -> list:
    """KerasTuner's log sampling with a step: the step multiplies (32, 64, 128 with step=2)."""
    if step <= 1:
        raise ValueError(f"Hyperparameter '{name}': with log sampling, step multiplies the "
                         f"value and must be > 1. Received: step={step!r}")
    values, value = [], min_value
    while value <= max_value * (1 + 1e-12):
        values.append(value)
        value = value * step
    return values


class HyperParameters:
    """The search space and the current values of one trial (KerasTuner's ``HyperParameters``).

    Example::

        hp = HyperParameters()              # record mode: defaults
        units = hp.Int("units", 32, 256, step=32)
        lr = hp.Float("lr", 1e-4, 1e-2, sampling="log")
        hp.values                           # {'units': 32, 'lr': 0.0001}
    """

    def __init__(self) -> None:
        self.values: dict = {}
        self._space: dict = {}        # key -> HyperParameter, in definition order
        self._scopes: list = []       # ("name", str) or ("condition", Condition)
        self._source: Optional[Source] = None
        self._fixed: dict = {}        # key -> value (a finished trial's values, or overrides)
        self._overrides: dict = {}    # name -> HyperParameter declared by the user up front
        self._tunable: Optional[set] = None   # names the source may pick (None: all)
        self._allowed: Optional[set] = None   # names allowed at all (None: any)

    # -- the space ----------------------------------------------------------------------------
    @property
    def space(self) -> list:
        """Every entry defined so far, in definition order."""
        return list(self._space.values())

    def get(self, name: str) -> Any:
        """The current value of ``name``; None when it is defined but its condition is off."""
        if name in self.values:
            return self.values[name]
        if any(hp.name == name for hp in self._space.values()):
            return None
        known = sorted({hp.name for hp in self._space.values()})
        raise HyperParameterNotFound(
            f"Hyperparameter '{name}' is not defined. Defined hyperparameters: {known}")

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.values or any(hp.name == name for hp in self._space.values())

    # -- scopes -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def name_scope(self, name: str) -> Iterator[None]:
        """Prefixes the names defined inside with ``name/``."""
        self._scopes.append(("name", _check_name(name)))
        try:
            yield
        finally:
            self._scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name: str, parent_values: Any) -> Iterator[None]:
        """Hyperparameters defined inside are active only while ``parent_name`` is in
        ``parent_values``; inactive ones return None and take no value."""
        full_parent = self._full_name(_check_name(parent_name))
        if full_parent not in self.values and not any(
                hp.name == full_parent for hp in self._space.values()):
            raise ValueError(
                f"conditional_scope: the parent hyperparameter '{full_parent}' must be defined "
                "before the scope that depends on it.")
        if not isinstance(parent_values, (list, tuple)):
            parent_values = [parent_values]
        self._scopes.append(("condition", Condition(full_parent, tuple(parent_values))))
        try:
            yield
        finally:
            self._scopes.pop()

    def _full_name(self, name: str) -> str:
        prefix = [value for kind, value in self._scopes if kind == "name"]
        return "/".join(prefix + [name])

    def _conditions(self) -> tuple:
        return tuple(value for kind, value in self._scopes if kind == "condition")

    def is_active(self, entry: HyperParameter) -> bool:
        return all(self.values.get(c.parent) in c.values for c in entry.conditions)

    # -- the public entry points --------------------------------------------------------------
    def Int(self, name: str, min_value: int, max_value: int, step: Optional[int] = None,
            sampling: str = "linear", default: Optional[int] = None,
            parent_name: Optional[str] = None, parent_values: Any = None) -> Optional[int]:
        """An integer in ``[min_value, max_value]`` (both included)."""
        _check_name(name)
        for arg, value in (("min_value", min_value), ("max_value", max_value)):
            _check_number(name, arg, value, integer=True)
        if step is not None:
            _check_number(name, "step", step, integer=True)
        if min_value > max_value:
            raise ValueError(f"Hyperparameter '{name}': min_value must be <= max_value. "
                             f"Received: min_value={min_value}, max_value={max_value}")
        sampling = _check_sampling(name, sampling, min_value)
        config = {"min_value": min_value, "max_value": max_value, "step": step,
                  "sampling": sampling}
        if sampling != "linear" and step is not None:
            config["values"] = _log_steps(name, min_value, max_value, step)
        elif step is not None and step <= 0:
            raise ValueError(f"Hyperparameter '{name}': step must be > 0. Received: step={step}")
        config["default"] = min_value if default is None else int(default)
        return self._define(name, "int", config, parent_name, parent_values)

    def Float(self, name: str, min_value: float, max_value: float,
              step: Optional[float] = None, sampling: str = "linear",
              default: Optional[float] = None, parent_name: Optional[str] = None,
              parent_values: Any = None) -> Optional[float]:
        """A float in ``[min_value, max_value]``; ``sampling`` is linear, log or reverse_log."""
        _check_name(name)
        for arg, value in (("min_value", min_value), ("max_value", max_value)):
            _check_number(name, arg, value, integer=False)
        if step is not None:
            _check_number(name, "step", step, integer=False)
        if min_value > max_value:
            raise ValueError(f"Hyperparameter '{name}': min_value must be <= max_value. "
                             f"Received: min_value={min_value}, max_value={max_value}")
        sampling = _check_sampling(name, sampling, min_value)
        config = {"min_value": float(min_value), "max_value": float(max_value),
                  "step": None if step is None else float(step), "sampling": sampling}
        if sampling != "linear" and step is not None:
            config["values"] = _log_steps(name, float(min_value), float(max_value), step)
        elif step is not None and step <= 0:
            raise ValueError(f"Hyperparameter '{name}': step must be > 0. Received: step={step}")
        config["default"] = float(min_value) if default is None else float(default)
        return self._define(name, "float", config, parent_name, parent_values)

    def Choice(self, name: str, values: Sequence, ordered: Optional[bool] = None,
               default: Any = None, parent_name: Optional[str] = None,
               parent_values: Any = None) -> Any:
        """One of ``values`` (ints, floats, strings or bools, all of one type)."""
        _check_name(name)
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"Hyperparameter '{name}': values must be a non-empty list. "
                             f"Received: values={values!r}")
        values = list(values)
        kinds = {type(v) for v in values}
        if len(kinds) > 1 and not kinds <= {int, float}:
            raise TypeError(f"Hyperparameter '{name}': values must all be of one type. "
                            f"Received types: {sorted(k.__name__ for k in kinds)}")
        if not kinds <= {int, float, str, bool}:
            raise TypeError(f"Hyperparameter '{name}': values must be int, float, str or bool. "
                            f"Received types: {sorted(k.__name__ for k in kinds)}")
        if default is not None and default not in values:
            raise ValueError(f"Hyperparameter '{name}': default must be one of {values}. "
                             f"Received: default={default!r}")
        numeric = kinds <= {int, float}
        config = {"values": values, "ordered": numeric if ordered is None else bool(ordered),
                  "default": values[0] if default is None else default}
        return self._define(name, "choice", config, parent_name, parent_values)

    def Boolean(self, name: str, default: bool = False, parent_name: Optional[str] = None,
                parent_values: Any = None) -> Optional[bool]:
        """True or False."""
        _check_name(name)
        if not isinstance(default, bool):
            raise TypeError(f"Hyperparameter '{name}': default must be a bool. "
                            f"Received: default={default!r}")
        return self._define(name, "boolean", {"default": default}, parent_name, parent_values)

    def Fixed(self, name: str, value: Any, parent_name: Optional[str] = None,
              parent_values: Any = None) -> Any:
        """A value that is not tuned, recorded with the others."""
        _check_name(name)
        if not isinstance(value, (int, float, str, bool)) and value is not None:
            raise TypeError(f"Hyperparameter '{name}': a Fixed value must be int, float, str, "
                            f"bool or None. Received: {type(value).__name__}")
        return self._define(name, "fixed", {"value": value, "default": value}, parent_name,
                            parent_values)

    # -- resolution ---------------------------------------------------------------------------
    def _define(self, name: str, kind: str, config: dict, parent_name: Optional[str],
                parent_values: Any) -> Any:
        if parent_name is not None:
            with self.conditional_scope(parent_name, parent_values):
                return self._define(name, kind, config, None, None)
        full = self._full_name(name)
        entry = self._overrides.get(full) or HyperParameter(full, kind, config, self._conditions())
        if self._overrides.get(full) is not None and entry.conditions != self._conditions():
            entry = HyperParameter(full, entry.kind, entry.config, self._conditions())
        if self._allowed is not None and full not in self._allowed:
            raise ValueError(
                f"Hyperparameter '{full}' is not in the search space this tuner was given, and "
                "allow_new_entries=False. Declare it in `hyperparameters=` or pass "
                "allow_new_entries=True.")
        known = self._space.get(entry.key)
        if known is not None and (known.kind, known.config) != (entry.kind, entry.config):
            raise ValueError(
                f"Hyperparameter '{full}' is defined twice with different settings in one "
                f"model: {known.summary()} and {entry.summary()}. Give them different names "
                "or put them under different conditional_scope()s.")
        self._space.setdefault(entry.key, entry)
        if not self.is_active(entry):
            return None
        if full in self.values and known is not None:
            return self.values[full]  # asked again: the same value, as in KerasTuner
        self.values[full] = self._pick(entry)
        return self.values[full]

    def _pick(self, entry: HyperParameter) -> Any:
        if entry.key in self._fixed:
            return self._fixed[entry.key]
        if entry.kind == "fixed":
            return entry.config["value"]
        tunable = self._tunable is None or entry.name in self._tunable
        if self._source is None or not tunable:
            return entry.default
        return self._source(entry)

    # -- construction helpers used by the tuner ----------------------------------------------
    @classmethod
    def from_values(cls, keyed_values: dict, space: Sequence[HyperParameter] = (),
                    values: Optional[dict] = None) -> "HyperParameters":
        """A HyperParameters that answers with a finished trial's values (keyed by entry key)."""
        hp = cls()
        hp._fixed = dict(keyed_values)
        for entry in space:
            hp._space.setdefault(entry.key, entry)
        if values is not None:
            hp.values = dict(values)
        return hp

    def copy(self) -> "HyperParameters":
        """A copy with the same space and values (no source)."""
        return HyperParameters.from_values(self._fixed, self.space, self.values)

    def keyed_values(self) -> dict:
        """The current values keyed by entry key (what the engine stores)."""
        out = {}
        for entry in self._space.values():
            if entry.name in self.values and self.is_active(entry):
                out[entry.key] = self.values[entry.name]
        return out

    def __repr__(self) -> str:
        return f"HyperParameters(values={self.values!r})"
