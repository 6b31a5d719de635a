"""The time loop of the recurrent layers on TensorFlow: one ``tf.while_loop`` over the time axis
(``core.scan``).

JAX rematerializes the step on CPU (see ``backends/jax/rnn.py``); TensorFlow's
``tf.recompute_grad`` cannot wrap the body of a ``while_loop`` that reads variables, so the
loop keeps TensorFlow's own per-step accumulators for the backward pass.
"""
from __future__ import annotations

from typing import Any, Callable

from keraslite.backends.tensorflow import core


def time_loop(step: Callable, init: Any, xs: Any, unroll: int | bool = 1) -> tuple[Any, Any]:
    """``core.scan(step, init, xs)``: ``step(carry, x_t) -> (carry, y_t)``; returns
    ``(carry, ys)``."""
    return core.scan(step, init, xs=xs, unroll=unroll)
