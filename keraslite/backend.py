"""The small public backend API: which backend runs, global settings, and gradients."""
from __future__ import annotations

from keraslite import config
from keraslite.backends import core


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


def clear_session() -> None:
    """Resets default layer names (``dense``, ``dense_1``, ...), like Keras."""
    from keraslite.utils import naming

    naming.reset()
