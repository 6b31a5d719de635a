"""Functional control flow on JAX: map, switch, vectorized_map, associative_scan and
custom_gradient (``keraslite.ops`` names)."""
from __future__ import annotations

import jax


def map(f, xs):
    return jax.lax.map(f, xs)


def switch(index, branches, *operands):
    return jax.lax.switch(index, branches, *operands)


def vectorized_map(function, elements):
    return jax.vmap(function)(elements)


def associative_scan(f, elems, reverse=False, axis=0):
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


def custom_gradient(f):
    """``f(*args) -> (y, grad)``, with ``grad(upstream)`` giving the gradients of the inputs."""

    def forward(*args):
        y, grad = f(*args)

        def vjp(upstream):
            out = grad(upstream)
            return tuple(out) if isinstance(out, (list, tuple)) else (out,)

        return y, vjp

    return jax.custom_gradient(forward)
