"""Which form a convolution takes on JAX/CPU: XLA's own convolution or matmuls over windows.

XLA's CPU convolution runs well in a program without loops, but about fifty times slower
inside a ``while`` loop body (jax-ml/jax#12868): the training step of a 1x1 256->64 convolution
over a (32, 56, 56, 256) batch took 132 s in a ``fori_loop`` against 0.66 s as matmuls. Outside
loops it is the faster form for windows larger than one element: the forward pass of a 7x7/2
3->64 convolution over a (32, 224, 224, 3) batch took 0.28 s against 1.4 s as matmuls, a 3x3
64->64 one over (32, 56, 56, 64) 0.25 s against 0.9 s; a 1x1 convolution is one matmul either
way (0.16 s as a matmul, 0.34 s as XLA's convolution). Figures from 2 busy cores:
``python benchmarks/conv_routes.py`` measures them (docs/conv-performance.md).

keraslite's training and evaluation steps run in a loop (``compile.compile_loop``), ``predict``
one compiled call per batch (``compile.compile_function``). Which one is being traced is read
from JAX's trace stack: XLA's convolution is used only when every enclosing trace is a plain
``jit`` (or nothing is traced). A loop, a scan, a ``cond``, a gradient or anything unrecognized
keeps the matmuls, the form that is never catastrophically slow.
"""
from __future__ import annotations

import math

# The traces a convolution may sit in and still run as XLA's own (``DebugInfo.traced_for``).
_LOOP_FREE = frozenset({"jit", "pjit"})


def outside_loops() -> bool:
    """True when the op being traced sits in no loop body: only plain ``jit`` traces enclose
    it, or it runs eagerly. False for anything else, or if JAX's internals have moved."""
    try:
        from jax._src import core  # the trace stack has no public API

        trace = core.trace_ctx.trace
        while trace is not None:
            kind = type(trace).__name__
            if kind == "EvalTrace":
                return True
            if kind != "DynamicJaxprTrace":
                return False  # autodiff, vmap, ...: keep the matmul form
            if trace.frame.debug_info.traced_for not in _LOOP_FREE:
                return False
            trace = trace.parent_trace
        return True
    except Exception:  # noqa: BLE001 - an unknown JAX: the safe form
        return False


def prefers_xla(window: tuple) -> bool:
    """XLA's convolution for a 2D window of more than one element, outside loops.

    One-element windows are plain matmuls (faster than XLA's convolution); 1D and 3D windows
    were not measured and keep the matmul form."""
    if len(window) != 2 or math.prod(window) == 1:
        return False
    return outside_loops()
