"""``make_train_function`` / ``make_test_function`` / ``make_predict_function``: the compiled
steps as callables for hand-written loops, as Keras's trainers offer them.

Keras's two trainers disagree on the contract: on TensorFlow ``model.train_function(iterator)``
runs up to ``steps_per_execution`` steps on the model's variables and returns the logs; on JAX
``train_function(state, iterator)`` is pure and returns ``(logs, state)``. keraslite keeps one
contract on both backends, TensorFlow's, because its variables are the state (the JAX form's
state lists are what ``stateless_compute_loss`` and ``get_state_tree`` offer):

- ``model.train_function(data) -> logs``: ``data`` is an iterator (up to ``steps_per_execution``
  batches are taken from it; one when that is ``"auto"``), a list of batches, or one batch
  ``x`` / ``(x, y[, sample_weight])``. The variables are updated; the logs are the last step's
  ``{name: scalar backend tensor}``. Metrics accumulate across calls until
  ``model.reset_metrics()``, as in a Keras loop.
- ``model.test_function(data) -> logs``: the same for ``test_step`` (weights unchanged).
- ``model.predict_function(data) -> outputs``: ``predict_step`` on each batch, the outputs
  concatenated along the batch axis (backend tensors).

An exhausted iterator raises ``StopIteration``, the end-of-data signal Keras's TensorFlow loops
catch. Nothing here defines a step: every call runs the compiled ``StepLoop`` / predict function
``fit``, ``evaluate`` and ``predict`` use (cached on the model by batch size and data structure),
so a custom ``train_step`` runs here exactly as in ``fit``. ``make_*_function`` returns the
callable (Keras returns it only when it already existed) and ``force=True`` drops the compiled
programs of that kind, so the next call traces the step again.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from keraslite import ops
from keraslite.backends import compile as B_compile
from keraslite.training.data import ArrayData, signature
from keraslite.training.data_sources import batch_data, unpack
from keraslite.training.feeders import i32, identity_order
from keraslite.training.state import HeldState
from keraslite.utils import tree


def take_batches(data: Any, steps_per_execution: int | str, what: str) -> list:
    """The batches one call consumes: from an iterator, a list, or ``data`` as one batch."""
    if isinstance(data, list):
        batches = data
    elif hasattr(data, "__next__"):
        limit = 1 if steps_per_execution == "auto" else int(steps_per_execution)
        batches = []
        for _ in range(limit):
            try:
                batches.append(next(data))
            except StopIteration:
                break
        if not batches:
            raise StopIteration(f"{what}: the iterator has no more batches.")
    else:
        batches = [data]
    if not batches:
        raise ValueError(f"{what} expects an iterator, a list of batches or one batch. "
                         "Received: an empty list")
    return batches


def _grouped(datas):
    """Consecutive batches of one structure and size, each group as one block of steps (the
    layout ``StepLoop`` gathers from: rows ``0..k*B-1`` of the concatenated arrays)."""
    groups, key = [], None
    for data in datas:
        flat, template = data.flat()
        this_key = (signature(template), data.num_samples)
        if not groups or this_key != key:
            groups.append((template, data.num_samples, []))
            key = this_key
        groups[-1][2].append(flat)
    for template, batch_size, flats in groups:
        columns = [np.concatenate(parts, axis=0) for parts in zip(*flats)]
        device = [B_compile.to_device(c) for c in columns]
        order = identity_order(len(flats) * batch_size)
        yield template, batch_size, device, order, len(flats)


def _prepared(model, batches, what, need_y=True):
    datas = []
    for index, raw in enumerate(batches):
        try:
            data = batch_data(raw, what)
            model._prepare(data, need_y=need_y)
        except (ValueError, TypeError) as error:
            raise type(error)(f"{what}: batch {index}: {error}") from None
        datas.append(data)
    return datas


class TrainFunction:
    """``model.train_function``: the compiled train step over one call's batches."""

    def __init__(self, model):
        self.model = model

    def __call__(self, data: Any) -> dict:
        model = self.model
        model._assert_compiled("train_function")
        datas = _prepared(model, take_batches(data, model.steps_per_execution,
                                              "train_function"), "train_function")
        model._ensure_optimizer_built()
        logs = None
        for template, batch_size, device, order, n in _grouped(datas):
            loop = model._loop("train", batch_size, template)
            with HeldState([loop.carried]) as holder:
                holder.values[0], logs = loop((), [holder.values[0], loop.initial_logs()],
                                              device, order, i32(0), n)
        return logs


class TestFunction:
    """``model.test_function``: the compiled test step; metrics accumulate across calls."""

    def __init__(self, model):
        self.model = model

    def __call__(self, data: Any) -> dict:
        model = self.model
        model._assert_compiled("test_function")
        datas = _prepared(model, take_batches(data, model.steps_per_execution,
                                              "test_function"), "test_function")
        logs = None
        for template, batch_size, device, order, n in _grouped(datas):
            loop = model._loop("test", batch_size, template)
            params = [v.value for v in loop.read_only]
            values = [v.value for v in loop.carried]
            values, logs = loop(params, [values, loop.initial_logs()], device, order, i32(0), n)
            for variable, value in zip(loop.carried, values):
                variable.assign(value)
        return logs


class PredictStepFunction:
    """``model.predict_function``: the compiled predict step; outputs joined on the batch axis."""

    def __init__(self, model):
        self.model = model

    def __call__(self, data: Any) -> Any:
        model = self.model
        batches = take_batches(data, model.steps_per_execution, "predict_function")
        outputs = []
        for index, raw in enumerate(batches):
            x = unpack(raw, "predict_function")[0]
            try:
                array_data = ArrayData(x, None, None, what="predict_function")
                model._prepare(array_data, need_y=False)
            except (ValueError, TypeError) as error:
                raise type(error)(f"predict_function: batch {index}: {error}") from None
            fn = model._predict_function()
            outputs.append(fn([v.value for v in fn.variables], array_data.x))
        if len(outputs) == 1:
            return outputs[0]
        leaves = [ops.concatenate(parts, axis=0)
                  for parts in zip(*[tree.flatten(o) for o in outputs])]
        return tree.pack_as(outputs[0], leaves)


_KINDS = {"train": TrainFunction, "test": TestFunction, "predict": PredictStepFunction}


class StepFunctions:
    """Keras's ``make_*_function`` members, mixed into ``Model`` through ``Trainer``."""

    def _make_step_function(self, kind: str, force: bool) -> Callable:
        attribute = f"{kind}_function"
        current = getattr(self, attribute, None)
        if current is not None and not force:
            return current
        if force:
            # The compiled programs of this kind go, so the step is traced again (after, say,
            # train_step was replaced on the instance).
            self._functions = {key: value for key, value in self._functions.items()
                               if not _of_kind(key, kind)}
        function = _KINDS[kind](self)
        setattr(self, attribute, function)
        return function

    def make_train_function(self, force: bool = False) -> Callable[[Any], dict]:
        """Sets and returns ``self.train_function`` (see ``training/step_functions.py``)."""
        return self._make_step_function("train", force)

    def make_test_function(self, force: bool = False) -> Callable[[Any], dict]:
        """Sets and returns ``self.test_function``."""
        return self._make_step_function("test", force)

    def make_predict_function(self, force: bool = False) -> Callable[[Any], Any]:
        """Sets and returns ``self.predict_function``."""
        return self._make_step_function("predict", force)


def _of_kind(key, kind):
    if not isinstance(key, tuple) or not key:
        return False
    return key[0] == kind or (key[0] == "logs" and len(key) > 1 and key[1] == kind)
