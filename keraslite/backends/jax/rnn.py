"""The time loop of the recurrent layers on JAX: one ``lax.scan`` over the time axis.

On CPU the step is rematerialized (``jax.checkpoint``): the backward pass recomputes each
step's gates from the carried states instead of reading them back from stored per-step
residuals. Without it an LSTM step stores twelve ``(batch, units)`` arrays per time step (the
gate activations and their derivatives), each one a buffer that XLA allocates, zeroes and
writes every call; recomputing two small matmuls and the gate functions costs less on CPU.
Measured with ``python benchmarks/lstm_throughput.py --backends jax`` (see
docs/recurrent-performance.md). Accelerators keep the stored residuals: the trade-off there
was not measured, and storing is what ``lax.scan`` does by default.
"""
from __future__ import annotations

from typing import Any, Callable

import jax


def time_loop(step: Callable, init: Any, xs: Any, unroll: int | bool = 1) -> tuple[Any, Any]:
    """``lax.scan(step, init, xs)``: ``step(carry, x_t) -> (carry, y_t)``; returns
    ``(carry, ys)``."""
    if jax.default_backend() == "cpu":
        # prevent_cse=False: inside a scan body CSE cannot merge the recomputation with the
        # forward pass, so the optimization barriers jax.checkpoint adds by default buy nothing.
        step = jax.checkpoint(step, prevent_cse=False)
    return jax.lax.scan(step, init, xs=xs, unroll=unroll)
