"""The small public backend API: which backend runs, global settings, and gradients."""
from __future__ import annotations

from keraslite import config
from keraslite.backends import core
from keraslite.backends.common import dtypes as _dtypes


def backend() -> str:
    """Name of the active backend, ``"jax"`` or ``"tensorflow"`` (from ``KERASLITE_BACKEND``)."""
    return config.backend()


floatx = config.floatx
set_floatx = config.set_floatx
epsilon = config.epsilon
set_epsilon = config.set_epsilon
image_data_format = config.image_data_format
set_image_data_format = config.set_image_data_format
standardize_dtype = core.standardize_dtype
convert_to_tensor = core.convert_to_tensor
convert_to_numpy = core.convert_to_numpy
is_tensor = core.is_tensor


def value_and_grad(fn, has_aux=False):
    """Backend-neutral ``value_and_grad``: ``fn(params, *args)`` -> (value, grads w.r.t. params)."""
    return core.value_and_grad(fn, has_aux=has_aux)


def clear_session(free_memory: bool = True) -> None:
    """Resets default layer names (``dense``, ``dense_1``, ...), like Keras; with
    ``free_memory`` (Keras's default) also collects garbage so freed models release memory."""
    import gc

    from keraslite.utils import naming

    if free_memory:
        gc.collect()

    naming.reset()
    _uids.clear()


def compute_gradients(loss_fn, variables, has_aux=False):
    """Gradients of ``loss_fn()`` with respect to ``variables`` (a list of Variables), on any backend.

    ``loss_fn`` takes no arguments and reads the variables as usual (``layer(x)``,
    ``variable.value``). Returns ``(loss, grads)``, or ``((loss, aux), grads)`` with ``has_aux``
    when ``loss_fn`` returns ``(loss, aux)``. Assignments made inside ``loss_fn`` to other
    variables (e.g. BatchNormalization's moving statistics) are applied afterwards. Works
    eagerly and inside a compiled step, so a custom ``Model.train_step`` written with it runs on
    JAX and TensorFlow alike::

        def train_step(self, data):
            x, y = data
            def loss_fn():
                return self.compute_loss(y=y, y_pred=self(x, training=True))
            loss, grads = keraslite.backend.compute_gradients(loss_fn, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"loss": loss}
    """
    from keraslite.variables import StatelessScope

    variables = list(variables)
    differentiated = {id(v) for v in variables}
    side_effects = {}

    def pure(values):
        with StatelessScope(list(zip(variables, values))) as scope:
            out = loss_fn()
        updates = [(v, value) for v, value in scope.updates() if id(v) not in differentiated]
        side_effects["vars"] = [v for v, _ in updates]
        loss, aux = out if has_aux else (out, None)
        return loss, (aux, [value for _, value in updates])

    (loss, (aux, update_values)), grads = core.value_and_grad(pure, has_aux=True)(
        [v.value for v in variables])
    for var, value in zip(side_effects.get("vars", []), update_values):
        var.assign(core.stop_gradient(value))
    return ((loss, aux), list(grads)) if has_aux else (loss, list(grads))


# -- the rest of keras.backend: dtype predicates, promotion, symbolic tensors, counters --------
_uids: dict[str, int] = {}


def get_uid(prefix: str = "") -> int:
    """1, 2, 3, ... on successive calls with the same ``prefix`` (reset by ``clear_session``)."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def is_float_dtype(dtype) -> bool:
    """Whether ``dtype`` (a name, NumPy or backend dtype) is a floating-point dtype."""
    return _dtypes.is_float(dtype)


def is_int_dtype(dtype) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer dtype (``bool`` is not)."""
    return _dtypes.is_int(dtype)


def result_type(*dtypes) -> str:
    """The dtype Keras's promotion rules give ``dtypes`` (names or dtype objects); floatx when
    none are given. keraslite's ops follow the same table on both backends."""
    if not dtypes:
        return config.floatx()
    names = []
    for dtype in dtypes:
        try:
            names.append(_dtypes.standardize(dtype))
        except TypeError:
            raise TypeError(f"result_type: every argument must be a dtype. "
                            f"Received: {dtype!r}") from None
    return _dtypes.promote(*names)


def is_keras_tensor(x) -> bool:
    """Whether ``x`` is a symbolic ``KerasTensor`` (a functional-model input or output)."""
    from keraslite.ops.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


def _device_remat():
    import importlib

    return importlib.import_module(f"keraslite.backends.{config.BACKEND}.device_remat")


def device(device_name: str):
    """A context manager placing new arrays and computations on ``device_name``
    (``"cpu:0"``, ``"gpu:0"``), as ``keras.device``; an unknown device is a ValueError."""
    if not isinstance(device_name, str) or not device_name:
        raise ValueError(f"device: argument `device_name` must be a string such as 'cpu:0'. "
                         f"Received: device_name={device_name!r}")
    return _device_remat().device(device_name)


def remat(f):
    """``f`` recomputing its intermediate values in the backward pass instead of keeping them
    (less memory, same values and gradients), as ``keras.remat``."""
    if not callable(f):
        raise TypeError(f"remat: argument `f` must be callable. Received: f={f!r:.80}")
    return _device_remat().remat(f)
