"""Compiled multi-step loops for TensorFlow: many training steps per ``tf.function`` call.

The data of a whole ``fit`` lives in tensors; each call receives the epoch's sample order and
runs ``n_steps`` steps in a ``tf.while_loop``, gathering each batch by index, so the Python
overhead of a call is paid once per block of steps, not once per step.
"""
from __future__ import annotations

import tensorflow as tf

DONATES_STATE = False


def compile_loop(step_fn, batch_size: int, jit_compile: bool = False):
    """``step_fn(params, carry, batch_list) -> carry``. Returns
    ``run(params, carry, data_list, order, offset, n_steps) -> carry``."""

    def run(params, carry, data, order, offset, n_steps):
        def body(i, carry):
            idx = tf.slice(order, [offset + i * batch_size], [batch_size])
            batch = [tf.gather(a, idx) for a in data]
            return i + 1, step_fn(params, carry, batch)

        _, carry = tf.while_loop(
            lambda i, c: i < n_steps, body, (tf.constant(0, tf.int32), carry),
            parallel_iterations=1,
        )
        return carry

    return tf.function(run, jit_compile=bool(jit_compile), reduce_retracing=True, autograph=False)


def compile_function(fn, jit_compile: bool = False, donate_argnums=()):
    """Compiles a pure function of tensors (retraced per input shape)."""
    return tf.function(fn, jit_compile=bool(jit_compile), reduce_retracing=True, autograph=False)


def snapshot(x):
    return x


def unique_buffers(values):
    return list(values)


def to_device(array):
    return tf.convert_to_tensor(array)
