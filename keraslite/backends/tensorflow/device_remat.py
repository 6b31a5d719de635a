"""Device placement scopes and rematerialization on TensorFlow (``keras.device``,
``keras.remat``)."""
from __future__ import annotations

import contextlib

import tensorflow as tf


@contextlib.contextmanager
def device(device_name: str):
    """New tensors and ops go to ``device_name`` (``"cpu:0"``, ``"gpu:1"``)."""
    kind, _, index = device_name.lower().partition(":")
    names = [d.name for d in tf.config.list_logical_devices(kind.upper())]
    if int(index or 0) >= len(names):
        raise ValueError(f"device: no device {device_name!r} on this machine. Available: "
                         f"{[d.name for d in tf.config.list_logical_devices()]}")
    with tf.device(f"/{kind.upper()}:{int(index or 0)}"):
        yield


def remat(f):
    """``f`` with its intermediate values recomputed in the backward pass
    (``tf.recompute_grad``)."""
    return tf.recompute_grad(f)
