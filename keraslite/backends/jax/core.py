"""Tensor basics for JAX: conversion, dtypes, abstract evaluation, gradients, control flow."""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from keraslite.backends.common import dtypes as dt
from keraslite.utils import tree

Tensor = jax.Array


# One naming of dtypes for both backends (JAX dtypes are NumPy dtypes).
standardize_dtype = dt.standardize


def is_tensor(x) -> bool:
    return isinstance(x, jax.Array)


_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def _available(dtype):
    """64-bit dtypes exist in JAX only with x64 enabled; otherwise use the 32-bit ones quietly."""
    if dtype in _NARROW and not jax.config.jax_enable_x64:
        return _NARROW[dtype]
    return dtype


def convert_to_tensor(x, dtype=None):
    if dtype is not None:
        dtype = _available(standardize_dtype(dtype))
    if isinstance(x, jax.Array) and (dtype is None or x.dtype == dtype):
        return x
    if isinstance(x, jax.core.Tracer):
        return x if dtype is None else x.astype(dtype)
    if dtype is None and isinstance(x, (float, np.floating)) and not isinstance(x, np.float64):
        dtype = "float32"
    if dtype is None and isinstance(x, float):
        dtype = "float32"
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "biuf":
        # Host data: cast on the host and copy; jnp.asarray would compile and run a convert
        # op for each new shape (measured 0.4 ms per call, several per fit() call).
        target = dtype or _available(standardize_dtype(x.dtype))
        host = np.asarray(x, dtype=target)
        if np.may_share_memory(host, x):
            # device_put adopts an aligned host array without copying: the caller's array
            # must not become the tensor's memory (changing it would change the tensor).
            host = host.copy()
        return jax.device_put(host)
    return jnp.asarray(x, dtype=dtype)


def convert_to_numpy(x) -> np.ndarray:
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
        # An array spread over several processes (a multi-host job): every process gets the
        # whole value, from its own replica when there is one, else gathered from all.
        if x.sharding.is_fully_replicated:
            return np.asarray(x.addressable_data(0))
        from jax.experimental import multihost_utils
        return np.asarray(multihost_utils.process_allgather(x, tiled=True))
    return np.asarray(x)


def shape_of(x) -> tuple:
    return tuple(x.shape)


def cast(x, dtype):
    return convert_to_tensor(x).astype(standardize_dtype(dtype))


def stop_gradient(x):
    return jax.lax.stop_gradient(x)


def compute_output_spec(fn, args, kwargs):
    """Runs ``fn`` abstractly. Leaves with ``.shape``/``.dtype`` and no value (KerasTensors)
    become abstract arrays; ``None`` dims are filled with two different sizes so that any dim
    that changes between the two runs is reported as ``None``. Returns a structure of
    KerasTensors."""
    from keraslite.ops.keras_tensor import KerasTensor

    leaves = tree.flatten((args, kwargs))
    symbolic = [i for i, leaf in enumerate(leaves) if isinstance(leaf, KerasTensor)]

    def run(fill):
        def fn_of_arrays(*arrays):
            filled = list(leaves)
            for i, arr in zip(symbolic, arrays):
                filled[i] = arr
            a, k = tree.pack_as((args, kwargs), filled)
            return fn(*a, **k)

        specs = [
            jax.ShapeDtypeStruct(tuple(fill if d is None else d for d in leaves[i].shape), leaves[i].dtype)
            for i in symbolic
        ]
        return jax.eval_shape(fn_of_arrays, *specs)

    has_none = any(d is None for i in symbolic for d in leaves[i].shape)
    if has_none:
        # One trace with a symbolic size for every unknown dim (all the same size, as with the
        # two fills below); outputs depending on it come back symbolic, i.e. unknown. Two traces
        # per layer were most of the build time of a ResNet50. Code that branches on the size
        # can't trace symbolically: it gets the two concrete runs, and their errors.
        try:
            unknown = jax.export.symbolic_shape("b")[0]
            out = run(unknown)
        except Exception:
            out = None
        if out is not None:
            return tree.pack_as(out, [None if a is None else KerasTensor(
                tuple(d if isinstance(d, int) else None for d in a.shape),
                standardize_dtype(a.dtype)) for a in tree.flatten(out)])
    first = run(83)
    second = run(89) if has_none else first

    def merge(a, b):
        if a is None:
            return None
        shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
        return KerasTensor(shape, standardize_dtype(a.dtype))

    out1 = tree.flatten(first)
    out2 = tree.flatten(second)
    return tree.pack_as(first, [merge(a, b) for a, b in zip(out1, out2)])


def value_and_grad(fn, has_aux=False):
    """``fn(params, *args)`` -> value (and aux); returns a function giving (value, grads).
    Gradients are taken with respect to the first argument (any nested structure of arrays)."""
    return jax.value_and_grad(fn, has_aux=has_aux)


def cond(pred, true_fn, false_fn):
    return jax.lax.cond(pred, true_fn, false_fn)


def while_loop(cond_fn, body_fn, loop_vars):
    return jax.lax.while_loop(cond_fn, body_fn, loop_vars)


def fori_loop(lower, upper, body_fn, init_val):
    return jax.lax.fori_loop(lower, upper, body_fn, init_val)


def scan(fn, init, xs=None, length=None, reverse=False, unroll=1):
    return jax.lax.scan(fn, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


# -- added by the op layer: slicing and scattering --------------------------------------------
def slice(inputs, start_indices, shape):
    return jax.lax.dynamic_slice(jnp.asarray(inputs), tuple(start_indices), tuple(shape))


def slice_update(inputs, start_indices, updates):
    inputs = jnp.asarray(inputs)
    return jax.lax.dynamic_update_slice(inputs, jnp.asarray(updates, inputs.dtype), tuple(start_indices))


def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` (duplicates sum)."""
    indices = jnp.asarray(indices)
    values = jnp.asarray(values)
    zeros = jnp.zeros(tuple(shape), values.dtype)
    return zeros.at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


def scatter_update(inputs, indices, updates):
    inputs = jnp.asarray(inputs)
    indices = jnp.asarray(indices)
    return inputs.at[tuple(jnp.moveaxis(indices, -1, 0))].set(jnp.asarray(updates, inputs.dtype))


# A new variable keeps its initial NumPy draw until first read (keraslite/variables.py).
DEFERS_PLACEMENT = True


def variable_value(value, dtype=None):
    """A concrete array for a new variable, even when created while a function is traced
    (a layer built lazily inside an abstract or jitted call). A NumPy array of the variable's
    dtype is the variable's own (keraslite/variables.py copies a caller's array first): an
    aligned one is adopted without a copy."""
    with jax.ensure_compile_time_eval():
        if (isinstance(value, np.ndarray) and dtype is not None
                and value.dtype.name == _available(standardize_dtype(dtype))):
            return jax.device_put(value)
        return convert_to_tensor(value, dtype=dtype)


def register_variable_class(cls):
    """Nothing to register: JAX has no conversion hook usable under tracing, so raw
    ``jax.numpy`` code reads ``variable.value`` (keraslite.ops accept Variables directly)."""


def on_variable_read(variable) -> None:
    """Nothing to do: JAX differentiates functions (``jax.grad``), it keeps no tape to notify."""


def needs_backing() -> bool:
    """False: JAX functions take state as arguments; no framework variable ever backs one."""
    return False


def back_variable(variable) -> None:
    """Not reached on JAX (``needs_backing`` is False); TensorFlow's moves a variable into a
    ``tf.Variable``."""
    raise NotImplementedError("JAX keeps variable values as arrays; nothing backs them.")


def read_backing(variable):
    raise NotImplementedError("JAX keeps variable values as arrays; nothing backs them.")


def write_backing(variable, value) -> None:
    raise NotImplementedError("JAX keeps variable values as arrays; nothing backs them.")


def _dynamic(value) -> bool:
    return isinstance(value, (jax.Array, np.ndarray, np.generic))


def fused(fn):
    """``fn`` compiled as one XLA program per distinct set of non-array arguments.

    Eager JAX compiles every primitive of a composite op separately (an image warp is dozens of
    them); one program per op is one compilation and one dispatch. Arrays (and lists/tuples of
    them) are traced; every other argument is static, so Python numbers keep their eager
    meaning. Calls with unhashable non-array arguments run eagerly, unchanged.
    """

    def run(spec, *arrays):
        it = iter(arrays)
        rebuilt = [_rebuild(s, it) for s in spec[0]]
        kw = {k: _rebuild(s, it) for k, s in spec[1]}
        return fn(*rebuilt, **kw)

    compiled = jax.jit(run, static_argnums=(0,))

    def call(*args, **kwargs):
        arrays: list = []
        try:
            spec = (tuple(_split(a, arrays) for a in args),
                    tuple((k, _split(v, arrays)) for k, v in sorted(kwargs.items())))
            hash(spec)
        except TypeError:  # an unhashable static argument (a list of lists, say)
            return fn(*args, **kwargs)
        return compiled(spec, *arrays)

    return functools.wraps(fn)(call)


_ARRAY = object()


class _Seq(tuple):
    """Stands for a list/tuple of arrays: ``(type, length)``."""


def _split(value, arrays: list):
    """A hashable stand-in for ``value``; its arrays are appended to ``arrays``."""
    if _dynamic(value):
        arrays.append(value)
        return _ARRAY
    if isinstance(value, (list, tuple)) and value and all(_dynamic(v) for v in value):
        arrays.extend(value)
        return _Seq((type(value), len(value)))
    return value


def _rebuild(spec, arrays):
    if spec is _ARRAY:
        return next(arrays)
    if isinstance(spec, _Seq):
        return spec[0](next(arrays) for _ in range(spec[1]))
    return spec
