"""Functional control flow on TensorFlow: map, switch, vectorized_map, associative_scan and
custom_gradient (``keraslite.ops`` names)."""
from __future__ import annotations

import tensorflow as tf


def _leading(structure):
    return tf.nest.map_structure(lambda t: tf.convert_to_tensor(t), structure)


def map(f, xs):
    xs = _leading(xs)
    first = tf.nest.map_structure(lambda t: t[0], xs)
    # map_fn needs the output structure when it differs from the input's: trace one element
    spec = tf.nest.map_structure(
        lambda t: tf.TensorSpec(t.shape, t.dtype), _leading(f(first)))
    return tf.map_fn(f, xs, fn_output_signature=spec)


def switch(index, branches, *operands):
    index = tf.clip_by_value(tf.cast(index, "int32"), 0, len(branches) - 1)  # as lax.switch
    return tf.switch_case(index, [lambda b=b: b(*operands) for b in branches])


def vectorized_map(function, elements):
    return tf.vectorized_map(function, _leading(elements))


def associative_scan(f, elems, reverse=False, axis=0):
    """A sequential scan: the same values as a parallel one for an associative ``f``."""
    elems = _leading(elems)
    flat = tf.nest.flatten(elems)
    rank = len(flat[0].shape)
    axis = axis % rank

    def to_front(t):
        perm = [axis] + [i for i in range(rank) if i != axis]
        return tf.transpose(t, perm)

    def to_back(t):
        perm = list(range(1, axis + 1)) + [0] + list(range(axis + 1, rank))
        return tf.transpose(t, perm)

    front = tf.nest.map_structure(to_front, elems)
    first = tf.nest.map_structure(lambda t: t[-1] if reverse else t[0], front)
    rest = tf.nest.map_structure(lambda t: t[:-1] if reverse else t[1:], front)
    scanned = tf.scan(lambda acc, x: f(acc, x), rest, initializer=first, reverse=reverse)
    joined = tf.nest.map_structure(
        lambda a, s: tf.concat([s, a[None]] if reverse else [a[None], s], 0), first, scanned)
    return tf.nest.map_structure(to_back, joined)


def custom_gradient(f):
    """``f(*args) -> (y, grad)``, with ``grad(upstream)`` giving the gradients of the inputs."""
    return tf.custom_gradient(f)
