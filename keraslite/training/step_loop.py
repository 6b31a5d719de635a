"""Compiled loops over the one step definition (``training/steps.py``).

``StepLoop`` runs ``model.train_step`` or ``model.test_step`` (the defaults or a subclass's
overrides alike) many steps per compiled call (``backends/<name>/compile.py``). Inside the traced
step every variable reads its value from a ``StatelessScope``:

- ``read_only`` variables take the values passed as ``params`` (the weights, for a test step);
- ``carried`` variables take the state threaded from step to step and from call to call
  (everything, for a train step; the metrics, for a test step). What the step assigns to them
  (``optimizer.apply``, metric updates, RNG draws, moving statistics) becomes the next state.

The loop's carry is ``[values, logs]``: the logs a step returns travel with the state, so a
block of steps hands back the last step's logs with no extra call. Their structure comes from
one abstract run of the step, which also creates state built lazily (optimizer slots, metric
variables) before the state is collected.
"""
from __future__ import annotations

import numpy as np

from keraslite import config, ops
from keraslite.backends import compile as B_compile
from keraslite.backends import core
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.training.data import repack
from keraslite.training.stateful_steps import step_callable
from keraslite.utils import tree
from keraslite.variables import StatelessScope, step_trace


def user_batch(parts):
    """The batch as Keras hands it to a step: ``x`` alone when there are no targets (``(x,)``
    when x is itself a list, to stay unambiguous), else ``(x, y)`` or ``(x, y, sample_weight)``,
    with ``y`` structured like the model's outputs (one array for one output)."""
    x, y, sw = parts
    if isinstance(y, list) and len(y) == 1:
        y = y[0]
    if y is None and sw is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    return (x, y) if sw is None else (x, y, sw)


def _as_tensors(logs, what):
    if logs is None:
        return {}
    if not isinstance(logs, dict):
        raise TypeError(f"{what} must return a dict of logs, e.g. {{'loss': loss}}. "
                        f"Received: {type(logs).__name__}")
    return {str(k): ops.convert_to_tensor(v) for k, v in logs.items()}


def compute_dtype(array) -> str:
    """The dtype a batch array enters the model in: floats in ``floatx``, others unchanged."""
    return config.floatx() if array.dtype.kind == "f" else str(array.dtype)


def abstract_logs(step_method, template, batch_size, what):
    """Runs a step abstractly (nothing executes, assignments are discarded): creates lazily built
    state and returns the logs' structure as KerasTensors."""
    flat = [a for a in tree.flatten(template) if a is not None]
    specs = [KerasTensor((batch_size,) + tuple(a.shape[1:]), compute_dtype(a)) for a in flat]

    def run(*arrays):
        return _as_tensors(step_method(user_batch(repack(template, list(arrays)))), what)

    with StatelessScope():
        return core.compute_output_spec(run, tuple(specs), {})


class StepLoop:
    """``loop(params, [values, logs], data, order, offset, n_steps) -> [values, logs]``."""

    def __init__(self, step_method, what, template, batch_size, read_only, carried, logs_spec,
                 jit_compile, layout=None):
        self.read_only, self.carried = list(read_only), list(carried)
        self.logs_spec = logs_spec
        read_only, carried = self.read_only, self.carried

        def step(params, carry, batch):
            values, _ = carry
            with StatelessScope(list(zip(read_only, params)) + list(zip(carried, values))) as scope:
                with step_trace():
                    logs = _as_tensors(step_method(user_batch(repack(template, batch))), what)
                new_values = [scope.current(v) for v in carried]
            return [new_values, logs]

        self.run = B_compile.compile_loop(step, batch_size, jit_compile=jit_compile,
                                          layout=layout)

    def warm(self, params, data, order, offset) -> None:
        """Starts compiling this loop in the background where the backend can (JAX on CPU),
        for the arguments a call will have; ``params`` as the caller will pass them."""
        warm = getattr(self.run, "warm", None)
        if warm is not None:
            carry = [[v.value for v in self.carried], self.initial_logs()]
            warm(params, carry, data, order, offset)

    def expect(self, n_steps: int) -> None:
        """Tells the backend's loop that about ``n_steps`` steps are coming: on TensorFlow,
        ``jit_compile="auto"`` compiles with XLA only for enough steps to repay it."""
        expect = getattr(self.run, "expect", None)
        if expect is not None:
            expect(n_steps)

    def initial_logs(self) -> dict:
        # Host zeros sent in one transfer: an op per log costs a dispatch each (about 50 us).
        try:
            host = {k: np.zeros(s.shape, s.dtype) for k, s in self.logs_spec.items()}
        except TypeError:  # a dtype NumPy does not know by name (bfloat16)
            return {k: ops.zeros(s.shape, s.dtype) for k, s in self.logs_spec.items()}
        return dict(zip(host, B_compile.to_device_many(list(host.values()))))

    def __call__(self, params, carry, data, order, offset, n_steps):
        return self.run(params, carry, data, order, offset, n_steps)


class PredictFunction:
    """``model.predict_step`` compiled once per input structure, the weights passed as values."""

    def __init__(self, model, jit_compile):
        self.variables = list(model.variables)
        variables = self.variables
        predict_step = step_callable(model, "predict")

        def predict(values, data):
            with StatelessScope(list(zip(variables, values))), step_trace():
                return predict_step(data)

        self.fn = B_compile.compile_function(predict, jit_compile)

    def __call__(self, values, x):
        """Outputs for the batch ``x``; ``values`` are the current values of ``variables``."""
        return self.fn(values, (x,) if isinstance(x, (list, tuple)) else x)
