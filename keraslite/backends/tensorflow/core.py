"""Tensor basics for TensorFlow: conversion, dtypes, abstract evaluation, gradients, control flow."""
from __future__ import annotations

import threading

import numpy as np
import tensorflow as tf
# TF's own variables report reads to gradient tapes through these (no public API does it).
from tensorflow.python import pywrap_tfe as _pywrap_tfe
from tensorflow.python.eager import tape as _tape

from keraslite.backends.common import dtypes as dt
from keraslite.utils import tree

Tensor = tf.Tensor


# One naming of dtypes for both backends (tf.DType and NumPy dtypes both have ``.name``).
standardize_dtype = dt.standardize


def is_tensor(x) -> bool:
    return tf.is_tensor(x)


def convert_to_tensor(x, dtype=None):
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if tf.is_tensor(x):
        if dtype is None or x.dtype.name == dtype:
            return x
        return tf.cast(x, dtype)
    if isinstance(x, tf.Variable):
        x = x.value()
        return x if dtype is None else tf.cast(x, dtype)
    if dtype is None:
        if isinstance(x, (bool, np.bool_)):
            dtype = "bool"
        elif isinstance(x, int):
            dtype = "int32"
        elif isinstance(x, float):
            dtype = "float32"
        elif isinstance(x, np.ndarray) and x.dtype == np.float64:
            dtype = "float64"
    if isinstance(x, (list, tuple)) and dtype is None:
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            dtype = "float32"
        elif arr.dtype == np.int64:
            dtype = "int32"
        x = arr
    return tf.convert_to_tensor(x, dtype=dtype)


def convert_to_numpy(x) -> np.ndarray:
    if tf.is_tensor(x):
        return x.numpy()
    return np.asarray(x)


def shape_of(x) -> tuple:
    return tuple(x.shape)


def cast(x, dtype):
    return tf.cast(convert_to_tensor(x), standardize_dtype(dtype))


def stop_gradient(x):
    return tf.stop_gradient(x)


def compute_output_spec(fn, args, kwargs):
    """Traces ``fn`` into a graph with ``TensorSpec`` inputs (``None`` dims stay unknown) and
    returns a structure of KerasTensors for its outputs. Nothing is executed."""
    from keraslite.ops.keras_tensor import KerasTensor

    leaves = tree.flatten((args, kwargs))
    symbolic = [i for i, leaf in enumerate(leaves) if isinstance(leaf, KerasTensor)]
    specs = [tf.TensorSpec(leaves[i].shape, leaves[i].dtype) for i in symbolic]
    result = {}

    def fn_of_tensors(*tensors):
        filled = list(leaves)
        for i, t in zip(symbolic, tensors):
            filled[i] = t
        a, k = tree.pack_as((args, kwargs), filled)
        out = fn(*a, **k)
        result["out"] = tree.map_structure(
            lambda t: None if t is None else KerasTensor(tuple(t.shape), standardize_dtype(t.dtype)), out
        )
        return 0

    _own_trace.depth = getattr(_own_trace, "depth", 0) + 1
    try:
        tf.function(fn_of_tensors, input_signature=specs, autograph=False).get_concrete_function()
    finally:
        _own_trace.depth -= 1
    return result["out"]


def value_and_grad(fn, has_aux=False):
    """``fn(params, *args)`` -> value (and aux); returns a function giving (value, grads).
    Gradients are taken with respect to the first argument (any nested structure of tensors)."""

    def wrapped(params, *args, **kwargs):
        flat = tree.flatten(params)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            for p in flat:
                tape.watch(p)
            out = fn(params, *args, **kwargs)
            value = out[0] if has_aux else out
        grads = tape.gradient(value, flat, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        # Gathers (e.g. embedding lookups) give sparse IndexedSlices; optimizers want dense.
        grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
        return out, tree.pack_as(params, grads)

    return wrapped


def cond(pred, true_fn, false_fn):
    return tf.cond(pred, true_fn, false_fn)


def while_loop(cond_fn, body_fn, loop_vars):
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    result = tf.while_loop(
        lambda *s: cond_fn(s if is_tuple else s[0]),
        lambda *s: tuple(body_fn(s if is_tuple else s[0])) if is_tuple else (body_fn(s[0]),),
        state,
    )
    return tuple(result) if is_tuple else result[0]


def fori_loop(lower, upper, body_fn, init_val):
    _, result = tf.while_loop(
        lambda i, v: i < upper,
        lambda i, v: (i + 1, body_fn(i, v)),
        (tf.convert_to_tensor(lower), init_val),
    )
    return result


def scan(fn, init, xs=None, length=None, reverse=False, unroll=1):
    """Same contract as ``jax.lax.scan``: ``fn(carry, x) -> (carry, y)``; returns (carry, ys)."""
    xs_flat = [convert_to_tensor(x) for x in tree.flatten(xs)] if xs is not None else []
    if length is not None:
        n = length
    else:
        # A time axis unknown while tracing (e.g. ``Input((None, 8))``) is read at run time.
        static = xs_flat[0].shape[0]
        n = int(static) if static is not None else tf.shape(xs_flat[0])[0]
    init_flat = tree.flatten(init)
    probe_x = None if xs is None else tree.pack_as(xs, [x[0] for x in xs_flat])
    _, y_probe = fn(init, probe_x)
    y_flat_probe = tree.flatten(y_probe)
    arrays = [tf.TensorArray(y.dtype, size=n) for y in y_flat_probe]
    # Steps read xs through TensorArrays: the gradient of a read is one write per step, where
    # the gradient of indexing ``x[i]`` is a zero tensor of the whole sequence per step, summed
    # over the steps (quadratic in the length when TensorFlow runs the graph without XLA).
    inputs = [tf.TensorArray(x.dtype, size=n, element_shape=x.shape[1:]).unstack(x)
              for x in xs_flat]

    def body(i, carry_flat, arrays):
        index = n - 1 - i if reverse else i
        x = None if xs is None else tree.pack_as(xs, [t.read(index) for t in inputs])
        new_carry, y = fn(tree.pack_as(init, list(carry_flat)), x)
        arrays = [a.write(index, v) for a, v in zip(arrays, tree.flatten(y))]
        return i + 1, tree.flatten(new_carry), arrays

    # A fixed maximum_iterations lets XLA take gradients through the loop (fixed-size lists).
    _, carry_flat, arrays = tf.while_loop(
        lambda i, c, a: i < n, body, (tf.constant(0), init_flat, arrays), maximum_iterations=n
    )
    ys = tree.pack_as(y_probe, [a.stack() for a in arrays])
    return tree.pack_as(init, list(carry_flat)), ys


# -- added by the op layer: slicing and scattering --------------------------------------------
def slice(inputs, start_indices, shape):
    inputs = convert_to_tensor(inputs)
    starts = list(start_indices)
    if all(isinstance(s, (int, np.integer)) for s in starts):
        return tf.slice(inputs, starts, list(shape))
    # A start computed at run time: XLA treats tf.slice's `begin` as a compile-time constant
    # and recompiles for every new value (a fresh compile per batch offset in a training
    # loop). Gathering a range along each sliced axis compiles once.
    out = inputs
    for axis, (start, size) in enumerate(zip(starts, shape)):
        whole_axis = isinstance(start, (int, np.integer)) and start == 0 and size == inputs.shape[axis]
        if whole_axis:
            continue
        index = tf.range(size) + tf.cast(start, tf.int32)
        out = tf.gather(out, index, axis=axis)
    return out


def slice_update(inputs, start_indices, updates):
    inputs = convert_to_tensor(inputs)
    updates = tf.cast(convert_to_tensor(updates), inputs.dtype)
    rank = inputs.shape.rank
    grids = tf.meshgrid(*[tf.range(tf.shape(updates)[i]) for i in range(rank)], indexing="ij")
    start = tf.cast(tf.convert_to_tensor(list(start_indices)), "int32")
    indices = tf.stack(grids, axis=-1) + start
    return tf.tensor_scatter_nd_update(inputs, indices, updates)


def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` (duplicates sum)."""
    values = convert_to_tensor(values)
    return tf.scatter_nd(convert_to_tensor(indices), values, list(shape))


def scatter_update(inputs, indices, updates):
    inputs = convert_to_tensor(inputs)
    updates = tf.cast(convert_to_tensor(updates), inputs.dtype)
    return tf.tensor_scatter_nd_update(inputs, convert_to_tensor(indices), updates)


# From this size a new variable's host array is adopted through DLPack instead of copied:
# tf.convert_to_tensor always copies (0.3 s of VGG16's 100 MB build), adoption takes 0.1 ms.
_ADOPT_BYTES = 1 << 20


# A new variable keeps its initial NumPy draw until first read (keraslite/variables.py): the
# draw may still be written by worker threads then (keraslite/utils/pending_arrays.py).
DEFERS_PLACEMENT = True


def variable_value(value, dtype=None):
    """A concrete (eager) tensor for a new variable, even when created while a ``tf.function``
    is being traced (a layer built lazily inside a traced call). A large, aligned, contiguous
    NumPy array of the right dtype (the initializers' draws) is adopted without a copy."""
    with tf.init_scope():
        adopted = _adopt(value, dtype)
        return adopted if adopted is not None else convert_to_tensor(value, dtype=dtype)


def _adopt(value, dtype):
    if (not isinstance(value, np.ndarray) or value.nbytes < _ADOPT_BYTES
            or not value.flags.c_contiguous or not value.flags.writeable
            or value.ctypes.data % 64 or (dtype is not None and value.dtype.name != dtype)):
        return None
    try:
        return tf.experimental.dlpack.from_dlpack(value.__dlpack__())
    except Exception:  # noqa: BLE001 - any refusal falls back to the copy
        return None


def register_variable_class(cls):
    """Lets ``tf.*`` functions and ``tf.GradientTape`` accept keraslite Variables.

    ``tf.*`` functions read the current value. For the tape, a Variable presents itself the way
    TF's resource variables do: ``_should_act_as_resource_variable`` makes the tape take
    ``variable.handle`` as the thing to differentiate, and ``handle`` here is the variable's
    current value tensor (its own eager tensor, or inside a compiled step the traced value a
    StatelessScope supplies). ``on_variable_read`` tells recording tapes about each read, so a
    trainable Variable is watched automatically; ``__tf_flatten__`` lets ``tape.watch(variable)``
    and ``tape.gradient(loss, variables)`` see that tensor.
    """

    def convert(variable, dtype=None, name=None, as_ref=False):
        value = variable.value
        return value if dtype is None else tf.cast(value, dtype)

    tf.register_tensor_conversion_function(cls, convert)
    cls._should_act_as_resource_variable = True
    # Not a resource handle: the value tensor itself. Reads use that very tensor, so the ops
    # the tape records start from it (an autocast read records the cast too).
    cls.handle = property(_tape_handle)
    # TF orders a tape's watched variables by this id.
    cls._unique_id = property(id)
    cls.__tf_flatten__ = _flatten_variable
    cls.__tf_unflatten__ = classmethod(_unflatten_variable)


def _flatten_variable(variable):
    return None, (variable.handle,)


def _unflatten_variable(cls, metadata, components):
    # tf.nest rebuilds a structure of variables with its leaves replaced (the gradients in
    # ``tape.gradient(loss, variables)``): the replacement stands where the variable was.
    return components[0]


_tape_set_is_empty = _pywrap_tfe.TFE_Py_TapeSetIsEmpty


# -- Variables used inside a user's tf.function --------------------------------------------------
# keraslite's compiled steps pass every variable's value in and out (StatelessScope). A user's own
# ``@tf.function`` (Keras's guide to training loops from scratch in TensorFlow) reads and assigns
# variables directly: a read would capture the current tensor as a constant and an assign would
# leave a graph tensor behind. So the first read or assign inside such a graph moves the variable
# into a ``tf.Variable`` (its "backing"), which from then on holds its value everywhere.
_own_trace = threading.local()  # keraslite's own abstract traces (shape inference) back nothing


def _exclude_from_autograph() -> None:
    """AutoGraph converts the Python functions a user's ``tf.function`` calls; keraslite's code has
    no Python control flow on tensor values, and converting it only costs time (and warns where
    it fails). TensorFlow skips its own modules and Keras's by such a rule."""
    try:
        from tensorflow.python.autograph.core import config as autograph_config
    except ImportError:  # a TensorFlow without this internal module converts as before
        return
    rule = autograph_config.DoNotConvert("keraslite")
    autograph_config.CONVERSION_RULES = (rule,) + tuple(autograph_config.CONVERSION_RULES)


_exclude_from_autograph()


def needs_backing() -> bool:
    """Whether a variable read or assigned now must be backed: inside a tf.function graph that
    is not one of keraslite's own abstract traces."""
    return tf.inside_function() and not getattr(_own_trace, "depth", 0)


def back_variable(variable) -> None:
    """Gives ``variable`` a ``tf.Variable`` holding its current value (created eagerly)."""
    with tf.init_scope():
        variable._backing = tf.Variable(variable._stored_value(), trainable=variable.trainable,
                                        name=variable.name.replace("/", "_").replace(":", "_"))


def read_backing(variable):
    return variable._backing.value()


def write_backing(variable, value) -> None:
    variable._backing.assign(value)


def _tape_handle(variable):
    """What a gradient tape watches for ``variable``: the backing's resource handle when the
    value comes from the backing, else the value tensor itself."""
    if variable._backing is not None and not variable._scoped():
        return variable._backing.handle
    return variable._raw_value()


def on_variable_read(variable) -> None:
    """Tells every recording ``tf.GradientTape`` that a trainable Variable was read, so the tape
    watches its value like a ``tf.Variable`` read. One C call when no tape records (the
    compiled default train step differentiates with its own explicitly-watching tape)."""
    if variable.trainable and not _tape_set_is_empty():
        _tape.variable_accessed(variable)


def fused(fn):
    """``fn`` unchanged: eager TensorFlow runs prebuilt kernels, with nothing to compile per
    op (JAX's ``fused`` compiles a composite op as one program)."""
    return fn
