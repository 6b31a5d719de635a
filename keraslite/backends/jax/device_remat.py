"""Device placement scopes and rematerialization on JAX (``keras.device``, ``keras.remat``)."""
from __future__ import annotations

import contextlib

import jax


def _parse(device_name: str) -> tuple[str, int]:
    kind, _, index = device_name.lower().partition(":")
    return kind, int(index) if index else 0


@contextlib.contextmanager
def device(device_name: str):
    """New arrays and computations go to ``device_name`` (``"cpu:0"``, ``"gpu:1"``)."""
    kind, index = _parse(device_name)
    try:
        devices = jax.devices(kind)
    except RuntimeError:
        devices = []
    if index >= len(devices):
        raise ValueError(f"device: no device {device_name!r} on this machine. Available: "
                         f"{[f'{d.platform}:{d.id}' for d in jax.devices()]}")
    with jax.default_device(devices[index]):
        yield


def remat(f):
    """``f`` with its intermediate values recomputed in the backward pass (``jax.checkpoint``)."""
    return jax.checkpoint(f)
