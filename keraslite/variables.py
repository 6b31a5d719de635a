"""Variables: the mutable, Keras-style face of state that the compiled steps treat as pure data.

A ``Variable`` holds one backend array. Three places can hold its current value, checked in order:

1. an active ``StatelessScope`` (inside a traced pure function, values come from the state
   passed in, and ``assign`` records the new value in the scope instead of mutating anything);
2. a running trainer's on-device state (``_holder``): while ``fit`` runs, the live values sit in
   the trainer's state and are written back only when someone reads them or fit ends;
3. the variable's own ``_value``.
"""
from __future__ import annotations

import contextlib
import itertools
import threading

import numpy as np

from keraslite.backends import core
from keraslite.backends import distribution as B_dist
from keraslite.distribution import distributions
from keraslite.utils import pending_arrays

_scope_stack = threading.local()
_autocast = threading.local()
_creating = threading.local()


@contextlib.contextmanager
def creating_path(path: str):
    """The path (``layer/name``) of the variable created inside the block: a distribution's
    layout map is matched against it, so the variable is placed sharded from the start."""
    _creating.path = path
    try:
        yield
    finally:
        _creating.path = None


# dtypes whose NumPy arrays a backend takes as they are (no narrowing of 64-bit types).
_DEFERRABLE = ("float32", "float16", "bfloat16", "int32", "uint8", "bool")


def _initial_value(value, shape, dtype, path, drawn=False):
    """The variable's first array: placed as the distribution in force says (each device
    receives its shard only), else on the default device. An array an initializer ``drawn``
    for this variable alone may wait for its first read (the caller's own array may not: the
    caller could change it in place meanwhile)."""
    if not drawn and isinstance(value, np.ndarray):
        value = np.array(value, copy=True)  # the backends may adopt an array without a copy
    dist = distributions.distribution()
    if dist is None:
        if (drawn and getattr(core, "DEFERS_PLACEMENT", False) and type(value) is np.ndarray
                and value.dtype.name == dtype and dtype in _DEFERRABLE):
            # placed on the device at its first read (Variable._stored_value), which also
            # waits for the values if workers still draw them (utils/pending_arrays.py)
            return value
        pending_arrays.complete(value)
        return core.variable_value(value, dtype=dtype)
    pending_arrays.complete(value)
    shape = tuple(np.shape(value)) if shape is None else tuple(shape)
    layout = dist.variable_layout(path, shape)
    return B_dist.place(value, layout.backend_sharding(), dtype)


def autocast_dtype():
    """The dtype float variables are read in right now (set by a mixed precision layer's call)."""
    return getattr(_autocast, "dtype", None)


def set_autocast_dtype(dtype):
    _autocast.dtype = dtype


def _current_scope():
    stack = getattr(_scope_stack, "stack", None)
    return stack[-1] if stack else None


class StatelessScope:
    """Maps variables to replacement values; ``assign`` inside the scope is recorded, not applied.

    Example::

        with StatelessScope({v: new_value}) as scope:
            y = layer(x)              # reads new_value for v
        updated = scope.current(v)   # value after any assign inside the call

    Scopes nest: a variable is read from the innermost scope that holds it, and an ``assign``
    is recorded in the innermost scope.
    """

    def __init__(self, values=None):
        pairs = values.items() if isinstance(values, dict) else (values or ())
        self._values = {}
        self._vars = {}  # id -> variable, keeps the ids valid while the scope lives
        for var, value in pairs:
            self._values[id(var)] = value
            self._vars[id(var)] = var
        self._assigned = {}

    def __enter__(self):
        stack = getattr(_scope_stack, "stack", None)
        if stack is None:
            stack = _scope_stack.stack = []
        stack.append(self)
        return self

    def __exit__(self, *exc):
        _scope_stack.stack.pop()

    def lookup(self, var):
        return self._values.get(id(var), _MISSING)

    def record(self, var, value):
        self._values[id(var)] = value
        self._vars[id(var)] = var
        self._assigned[id(var)] = var

    def current(self, var):
        value = self._values.get(id(var), _MISSING)
        return var.value if value is _MISSING else value

    def updates(self):
        """(variable, new value) for every variable assigned inside this scope, in order."""
        return [(var, self._values[key]) for key, var in self._assigned.items()]


_MISSING = object()
_name_counts: dict = {}
_serials = itertools.count()
_step_trace = threading.local()


class step_trace:
    """While a compiled step is traced, every variable that existed before it must be read from
    the step's state (a StatelessScope). Reading one from outside would bake its current value
    into the compiled code as a constant, silently frozen for every later step, so it raises.
    Variables created during the trace (lazily built layers) are exempt."""

    def __enter__(self):
        self.previous = getattr(_step_trace, "first_serial", None)
        _step_trace.first_serial = next(_serials)
        return self

    def __exit__(self, *exc):
        _step_trace.first_serial = self.previous


def _raise_frozen_read(variable):
    raise ValueError(
        f"Variable '{variable.path}' was read while a training step was being compiled, but it is "
        "not part of the state the step carries, so its current value would be frozen into the "
        "compiled step. Keep every layer, optimizer and metric the step uses reachable from the "
        "model (as attributes, or in lists of attributes)."
    )


class Variable:
    """A named, shaped, typed holder of a backend array.

    Args:
        initializer: an array-like value, or a callable ``(shape, dtype) -> array``.
        shape: required when ``initializer`` is callable.
        dtype: dtype name; defaults to the initial value's dtype or ``floatx``.
        trainable: whether optimizers update it.
        name: short name (e.g. ``"kernel"``); ``path`` is set by the owning layer.
    """

    _serial = 1 << 62  # replaced in __init__; exempts instances made without it
    # TensorFlow: the tf.Variable that holds the value once the variable was used inside a
    # user's tf.function (backends/tensorflow/core.py, needs_backing); None otherwise.
    _backing = None

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 aggregation="mean", autocast=True):
        from keraslite import config

        self.name = name or "variable"
        self.autocast = autocast
        self.trainable = bool(trainable)
        self.aggregation = aggregation
        self._holder = None  # (holder, index) while a trainer owns the live value
        self._serial = next(_serials)  # creation order, for step_trace
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable '{self.name}': a callable initializer needs a shape. Received: shape=None"
                )
            dtype = core.standardize_dtype(dtype or config.floatx())
            with pending_arrays.drawing_for_variable(initializer):
                value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
            if dtype is None:
                dtype = core.standardize_dtype(getattr(value, "dtype", None) or config.floatx())
        self._dtype = core.standardize_dtype(dtype)
        self.path = getattr(_creating, "path", None) or self.name
        self._value = _initial_value(value, shape, self._dtype, self.path,
                                     drawn=callable(initializer))
        self._shape = tuple(core.shape_of(self._value))
        if shape is not None and tuple(shape) != self._shape:
            raise ValueError(
                f"Variable '{self.name}': initial value has shape {self._shape}, expected {tuple(shape)}."
            )

    # -- value access ---------------------------------------------------------------------
    def _stored_value(self):
        if self._holder is not None:
            holder, index = self._holder
            return holder.read(index)
        if self._backing is not None:
            return core.read_backing(self)
        value = self._value
        if type(value) is np.ndarray:
            # A deferred initial draw (_initial_value): one device_put per variable was a third
            # of an application's build on JAX; models that are built and never run skip it.
            pending_arrays.complete(value)
            value = self._value = core.variable_value(value, dtype=self._dtype)
        return value

    def _store(self, value) -> None:
        """Sets the variable's own value (outside any scope or holder)."""
        if self._backing is None and core.needs_backing():
            core.back_variable(self)
        if self._backing is not None:
            core.write_backing(self, value)
        else:
            if type(self._value) is np.ndarray:  # an initial draw never read: not needed now
                pending_arrays.discard(self._value)
            self._value = value

    def _scoped(self) -> bool:
        """Whether a StatelessScope supplies this variable's value now."""
        return any(scope.lookup(self) is not _MISSING
                   for scope in getattr(_scope_stack, "stack", None) or ())

    def _raw_value(self):
        """The current value before any autocast (what a gradient tape differentiates)."""
        # Scopes nest (e.g. gradients taken inside a compiled step): the innermost one that
        # holds this variable wins.
        for scope in reversed(getattr(_scope_stack, "stack", None) or ()):
            value = scope.lookup(self)
            if value is not _MISSING:
                return value
        guard = getattr(_step_trace, "first_serial", None)
        if guard is not None and self._serial < guard:
            _raise_frozen_read(self)
        if self._backing is None and self._holder is None and core.needs_backing():
            core.back_variable(self)
        return self._stored_value()

    @property
    def value(self):
        value = self._raw_value()
        # Lets a recording gradient tape (TensorFlow's) watch this read, as it does for its own
        # variables; before the autocast below, so the cast is recorded too.
        core.on_variable_read(self)
        cast_to = getattr(_autocast, "dtype", None)
        if cast_to is not None and self.autocast and cast_to != self._dtype and "float" in self._dtype:
            return core.cast(value, cast_to)
        return value

    def assign(self, value):
        value = core.convert_to_tensor(value, dtype=self._dtype)
        if tuple(core.shape_of(value)) != self._shape:
            raise ValueError(
                f"Variable '{self.path}' has shape {self._shape}; cannot assign a value of shape "
                f"{tuple(core.shape_of(value))}."
            )
        scope = _current_scope()
        if scope is not None:
            # Inside a step run per replica (TensorFlow's MirroredStrategy), accumulators and
            # layer statistics combine every replica's update; elsewhere the value is as is.
            value = B_dist.synced_assignment(self, self._raw_value, value)
            scope.record(self, value)
        elif self._holder is not None:
            holder, index = self._holder
            holder.write(index, value)
        else:
            self._store(value)
        return value

    def assign_add(self, delta):
        return self.assign(self.value + core.convert_to_tensor(delta, dtype=self._dtype))

    def assign_sub(self, delta):
        return self.assign(self.value - core.convert_to_tensor(delta, dtype=self._dtype))

    def numpy(self) -> np.ndarray:
        return np.asarray(core.convert_to_numpy(self.value))

    def __getstate__(self) -> dict:
        # copy.deepcopy (and pickle) copy the initial draw's array as it is: wait for it first.
        if type(self._value) is np.ndarray:
            pending_arrays.complete(self._value)
        return self.__dict__.copy()

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr.astype(dtype) if dtype is not None else arr

    def __float__(self):
        return float(self.numpy())

    def __int__(self):
        return int(self.numpy())

    def __repr__(self):
        return f"<Variable path={self.path} shape={self._shape} dtype={self._dtype}>"

    # -- arithmetic goes through keraslite.ops so it also works symbolically ------------------
    def _op(name):
        def method(self, *others):
            from keraslite import ops

            return getattr(ops, name)(self, *others)

        return method

    def _rop(name):
        def method(self, other):
            from keraslite import ops

            return getattr(ops, name)(other, self)

        return method

    __add__ = _op("add")
    __radd__ = _rop("add")
    __sub__ = _op("subtract")
    __rsub__ = _rop("subtract")
    __mul__ = _op("multiply")
    __rmul__ = _rop("multiply")
    __truediv__ = _op("divide")
    __rtruediv__ = _rop("divide")
    __matmul__ = _op("matmul")
    __rmatmul__ = _rop("matmul")
    __pow__ = _op("power")
    __neg__ = _op("negative")
    __getitem__ = _op("get_item")
    del _op, _rop

    __hash__ = object.__hash__


# TensorFlow functions called directly on a Variable (custom layers written with tf.*) read its
# value. JAX no longer lets objects convert themselves while tracing, so there raw jax.numpy
# code reads ``variable.value``.
core.register_variable_class(Variable)
