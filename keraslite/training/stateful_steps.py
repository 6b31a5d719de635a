"""Keras's JAX-style steps, which take the model's state and return a new one.

Keras's JAX trainer calls ``train_step(self, state, data) -> (logs, state)``, and its guide to
custom steps in JAX writes them with ``stateless_call``, ``jax.value_and_grad``,
``optimizer.stateless_apply`` and ``metric.stateless_update_state``. keraslite's steps take
``data`` alone on both backends (its variables are the state); a subclass whose step takes
``(state, data)`` runs through ``StatefulStep``, which hands it the current values and assigns
what it returns, inside the same traced scope, so such a step is compiled into the multi-step loop
like any other:

- ``train_step(state, data) -> (logs, state)`` with ``state = (trainable_variables,
  non_trainable_variables, optimizer_variables, metrics_variables)``;
- ``test_step(state, data) -> (logs, state)`` with ``state = (trainable_variables,
  non_trainable_variables, metrics_variables)``;
- ``predict_step(state, data) -> (outputs, non_trainable_variables)`` with ``state =
  (trainable_variables, non_trainable_variables)``.

Each part lists values in the order of ``model.trainable_variables``,
``model.non_trainable_variables``, ``model.optimizer.variables`` and the variables of
``model.metrics`` (metric by metric), as in Keras. Nothing here is JAX-specific: the same step runs
on TensorFlow when its body uses only keraslite ops.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from keraslite.training.data_sources import unpack

_PARTS = {
    "train": ("trainable_variables", "non_trainable_variables", "optimizer_variables",
              "metrics_variables"),
    "test": ("trainable_variables", "non_trainable_variables", "metrics_variables"),
    "predict": ("trainable_variables", "non_trainable_variables"),
}


_TAKES_STATE: dict = {}


def takes_state(method: Callable) -> bool:
    """Whether a bound step method is written Keras-JAX style: two required positional
    parameters (``state, data``) instead of one."""
    function = getattr(method, "__func__", None)  # a bound method: its class's function
    if function is None:
        return _takes_state(method)
    found = _TAKES_STATE.get(function)
    if found is None:
        found = _TAKES_STATE[function] = _takes_state(method)
    return found


def _takes_state(method: Callable) -> bool:
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    return len(positional) == 2


def step_callable(model: Any, kind: str) -> Callable[[Any], Any]:
    """``model.<kind>_step`` as a function of ``data`` alone, whichever style it is written in."""
    method = getattr(model, f"{kind}_step")
    return StatefulStep(model, kind, method) if takes_state(method) else method


def _metric_variables(model) -> list:
    return [v for metric in model.metrics for v in metric.variables]


def _flat_logs(logs: Any) -> Any:
    """Keras flattens the dicts a metric's ``stateless_result`` may give (a metrics container)
    into the logs."""
    if not isinstance(logs, dict):
        return logs
    flat = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(_flat_logs(value))
        else:
            flat[key] = value
    return flat


class StatefulStep:
    """Runs a ``(state, data)`` step as a ``data`` step: reads the state, assigns the result."""

    def __init__(self, model, kind: str, method: Callable):
        self.model, self.kind, self.method = model, kind, method
        self.what = f"{kind}_step"

    def _groups(self) -> list[list]:
        model = self.model
        groups = {
            "trainable_variables": lambda: list(model.trainable_variables),
            "non_trainable_variables": lambda: list(model.non_trainable_variables),
            "optimizer_variables": lambda: list(model.optimizer.variables),
            "metrics_variables": lambda: _metric_variables(model),
        }
        return [groups[part]() for part in _PARTS[self.kind]]

    def _build_state(self, data) -> None:
        """Creates the state Keras builds before the first step (compiled losses and metrics,
        optimizer slots), so the step sees every variable from its first call on."""
        model = self.model
        x, y, sample_weight = unpack(data, self.what)
        needs_build = (
            (model._compile_loss is not None and not model._compile_loss.built)
            or (model._compile_metrics is not None and not model._compile_metrics.built)
            or not model.built
        )
        if needs_build and self.kind != "predict":
            y_pred = model(x, training=False)
            if y is not None and model._compile_loss is not None:
                model.compute_loss(x, y, y_pred, sample_weight, training=False)
            if y is not None:
                model.compute_metrics(x, y, y_pred, sample_weight)
        elif not model.built:
            model(x, training=False)
        if self.kind == "train":
            if model.optimizer is None:
                raise ValueError(f"Model '{model.name}': a train_step(state, data) needs an "
                                 "optimizer; call compile(optimizer=...) first.")
            if not model.optimizer.built:
                model.optimizer.build(model.trainable_variables)

    def __call__(self, data: Any) -> Any:
        self._build_state(data)
        groups = self._groups()
        state = tuple([v.value for v in group] for group in groups)
        result = self.method(state, data)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            expected = ("(outputs, non_trainable_variables)" if self.kind == "predict"
                        else "(logs, state)")
            raise TypeError(f"{type(self.model).__name__}.{self.what}(state, data) must return "
                            f"{expected}. Received: {type(result).__name__}")
        out, new_state = result
        if self.kind == "predict":
            self._assign(groups[1:2], (new_state,))
            return out
        self._assign(groups, new_state)
        return _flat_logs(out)

    def _assign(self, groups, new_state) -> None:
        names = _PARTS[self.kind] if self.kind != "predict" else ("non_trainable_variables",)
        if not isinstance(new_state, (tuple, list)) or len(new_state) != len(groups):
            received = type(new_state).__name__
            if isinstance(new_state, (tuple, list)):
                received += f" of {len(new_state)} parts"
            raise ValueError(f"{type(self.model).__name__}.{self.what} must return a state of "
                             f"{len(groups)} parts ({', '.join(names)}). Received: {received}")
        for name, variables, values in zip(names, groups, new_state):
            values = list(values)
            if len(values) != len(variables):
                raise ValueError(
                    f"{type(self.model).__name__}.{self.what}: the returned {name} has "
                    f"{len(values)} values; expected {len(variables)} (one per variable).")
            for variable, value in zip(variables, values):
                variable.assign(value)
