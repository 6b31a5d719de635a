"""Core public ops: conversion, dtypes, shapes, control flow, slicing and scattering."""
from __future__ import annotations

from keraslite.backends.common import dtypes as _dt
from keraslite.backends import core as _core
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import _unwrap, keras_op
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.variables import Variable


@keras_op
def cast(x, dtype):
    return _core.cast(x, _dt.standardize(dtype))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A backend tensor from an array-like (a Variable gives its current value)."""
    if ragged:  # keraslite has no ragged tensors
        raise ValueError("convert_to_tensor: argument `ragged` is not supported by keraslite; "
                         f"received ragged={ragged!r}")
    return _core.convert_to_tensor(_unwrap(x), dtype=_dt.standardize(dtype))


def convert_to_numpy(x):
    """A NumPy array from a tensor, Variable or array-like (needs a concrete value)."""
    if isinstance(x, KerasTensor):
        raise TypeError(
            "convert_to_numpy: a symbolic KerasTensor has no value. Build a Model from it and "
            "call the model on data instead."
        )
    return _core.convert_to_numpy(_unwrap(x))


def is_tensor(x) -> bool:
    return _core.is_tensor(x)


def dtype(x) -> str:
    """The standardized dtype name of ``x`` (``"float32"``, ``"int32"``, ...)."""
    if isinstance(x, (KerasTensor, Variable)):
        return x.dtype
    return _dt.dtype_of(x)


def shape(x) -> tuple:
    """The shape as a tuple. Symbolic inputs give ``None`` for unknown dims; inside a traced
    TF function unknown dims are scalar tensors."""
    if isinstance(x, (KerasTensor, Variable)):
        return tuple(x.shape)
    return _np.shape(x)


@keras_op
def stop_gradient(variable):
    return _core.stop_gradient(variable)


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``; traceable on every backend."""
    return _core.cond(_unwrap(pred), true_fn, false_fn)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    if maximum_iterations is not None:
        raise NotImplementedError("while_loop: maximum_iterations is not supported yet.")
    return _core.while_loop(cond, body, _unwrap(loop_vars))


def fori_loop(lower, upper, body_fun, init_val):
    return _core.fori_loop(lower, upper, body_fun, _unwrap(init_val))


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``f(carry, x) -> (carry, y)`` over the leading axis of ``xs``; returns ``(carry, ys)``."""
    return _core.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


@keras_op
def slice(inputs, start_indices, shape):
    return _core.slice(inputs, start_indices, shape)


@keras_op
def slice_update(inputs, start_indices, updates):
    return _core.slice_update(inputs, start_indices, updates)


@keras_op
def scatter(indices, values, shape):
    return _core.scatter(indices, values, shape)


@keras_op
def scatter_update(inputs, indices, updates, reduction=None):
    if reduction is not None:
        raise ValueError("scatter_update: argument `reduction` is not supported by keraslite; "
                         f"received reduction={reduction!r}")
    return _core.scatter_update(inputs, indices, updates)


def standardize_dtype(dtype) -> str:
    return _dt.standardize(dtype)


def result_type(*values) -> str:
    """The dtype an op combining ``values`` returns (same on every backend)."""
    return _dt.result_type(*values)


from keraslite.ops.control import (  # noqa: E402,F401
    associative_scan, custom_gradient, map, rearrange, saturate_cast, switch, vectorized_map)

__all__ = [
    "associative_scan", "custom_gradient", "map", "rearrange", "saturate_cast", "switch",
    "vectorized_map", "cast", "convert_to_tensor", "convert_to_numpy", "is_tensor", "dtype",
    "shape",
    "stop_gradient", "cond", "while_loop", "fori_loop", "scan", "slice", "slice_update", "scatter",
    "scatter_update", "standardize_dtype", "result_type",
]
