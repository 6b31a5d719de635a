"""The decorator every public op goes through.

An op called on concrete values unwraps ``Variable`` arguments and runs the backend function.
An op called with a ``KerasTensor`` anywhere in its arguments becomes a node of the functional
graph (an ``OpLayer``), whose output shape comes from the backend's abstract evaluation.
"""
from __future__ import annotations

import functools

from keraslite.ops.keras_tensor import KerasTensor
from keraslite.variables import Variable


def _has_symbolic(args, kwargs) -> bool:
    for a in args:
        if isinstance(a, KerasTensor):
            return True
        if isinstance(a, (list, tuple)) and any(isinstance(b, KerasTensor) for b in a):
            return True
    for a in kwargs.values():
        if isinstance(a, KerasTensor):
            return True
    return False


def _unwrap(a):
    if isinstance(a, Variable):
        return a.value
    if isinstance(a, (list, tuple)) and any(isinstance(b, Variable) for b in a):
        return type(a)(b.value if isinstance(b, Variable) else b for b in a)
    return a


def keras_op(fn):
    """Makes ``fn`` (written against backend arrays) accept Variables and KerasTensors."""

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if _has_symbolic(args, kwargs):
            from keraslite.layers.core.op_layer import OpLayer

            return OpLayer(fn, args, kwargs)._call_symbolic_op()
        return fn(*[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()})

    op.raw = fn
    return op


def fused_op(fn):
    """``keras_op`` over ``fn`` compiled as one program where the backend compiles per op (JAX):
    for composite ops of many primitives, whose eager cost is mostly compilation."""
    from keraslite.backends import core as _core

    return keras_op(_core.fused(fn))
