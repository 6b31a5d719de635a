"""The time loop of the recurrent layers on JAX: one ``lax.scan`` over the time axis.

On CPU the step is rematerialized (``jax.checkpoint``) except for the outputs of its sigmoids
and tanhs: the backward pass rebuilds the rest of each step (products, sums, derivatives) from
those and the carried states instead of reading it back from stored per-step residuals.
Without it an LSTM step stores twelve ``(batch, units)`` arrays per time step (the gate
activations, their derivatives, the states), each one a buffer that XLA allocates, zeroes and
writes every call. Keeping the activations spares the backward pass the two matmuls it would
need to recompute them (about 4% less CPU time than recomputing everything).
Measured with ``python benchmarks/lstm_throughput.py --backends jax`` (see
docs/recurrent-performance.md). Accelerators keep the stored residuals: the trade-off there
was not measured, and storing is what ``lax.scan`` does by default.

``traced_time_loops()`` counts the loops traced in this process: ``compile.py`` compares it
before and after lowering a program to learn whether the program holds a recurrent loop,
which runs faster with XLA's newer CPU fusion emitters (see ``compile._cpu_options``).
"""
from __future__ import annotations

from typing import Any, Callable

import jax

_traced = 0


def traced_time_loops() -> int:
    """How many recurrent time loops this process has traced (never decreases)."""
    return _traced


def time_loop(step: Callable, init: Any, xs: Any, unroll: int | bool = 1) -> tuple[Any, Any]:
    """``lax.scan(step, init, xs)``: ``step(carry, x_t) -> (carry, y_t)``; returns
    ``(carry, ys)``."""
    global _traced
    _traced += 1
    if jax.default_backend() == "cpu":
        # prevent_cse=False: inside a scan body CSE cannot merge the recomputation with the
        # forward pass, so the optimization barriers jax.checkpoint adds by default buy nothing.
        step = jax.checkpoint(step, prevent_cse=False, policy=_save_activations)
    return jax.lax.scan(step, init, xs=xs, unroll=unroll)


def _save_activations(primitive, *args, **params) -> bool:
    """Keep the outputs of sigmoids and tanhs: their derivatives need only those outputs, and
    recomputing them would need the step's matmuls again."""
    return primitive.name in ("logistic", "tanh")
