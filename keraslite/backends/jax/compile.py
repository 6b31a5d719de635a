"""Compiled multi-step loops for JAX: many training steps per ``jax.jit`` call, state donated.

The data of a whole ``fit`` lives on the device; each call receives the epoch's sample order and
runs ``n_steps`` steps in a ``lax.fori_loop`` (a while loop, so any ``n_steps`` reuses one
compilation), gathering each batch from the resident arrays by index.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

DONATES_STATE = True


def compile_loop(step_fn, batch_size: int, jit_compile=True):
    """``step_fn(params, carry, batch_list) -> carry``. Returns
    ``run(params, carry, data_list, order, offset, n_steps) -> carry``; ``carry`` is donated."""

    def run(params, carry, data, order, offset, n_steps):
        def body(i, carry):
            idx = jax.lax.dynamic_slice_in_dim(order, offset + i * batch_size, batch_size)
            batch = [jnp.take(a, idx, axis=0) for a in data]
            return step_fn(params, carry, batch)

        return jax.lax.fori_loop(0, n_steps, body, carry)

    if not jit_compile:
        return run
    return jax.jit(run, donate_argnums=(1,))


def compile_function(fn, jit_compile=True, donate_argnums=()):
    """Compiles a pure function of arrays (retraced per input shape)."""
    if not jit_compile:
        return fn
    return jax.jit(fn, donate_argnums=donate_argnums)


def snapshot(x):
    """A copy that stays valid after the original buffer is donated to a compiled call."""
    return jnp.array(x, copy=True)


def unique_buffers(values):
    """Copies any array that appears twice (a donated buffer may be passed only once)."""
    seen = set()
    out = []
    for v in values:
        if id(v) in seen:
            v = jnp.array(v, copy=True)
        seen.add(id(v))
        out.append(v)
    return out


def to_device(array):
    return jnp.asarray(array)
