"""Distribution on TensorFlow: devices are listed; layouts are not supported yet.

keraslite's compiled loops thread the model state through a pure function, and running that
under ``tf.distribute.MirroredStrategy`` needs per-replica state and metric reductions the loop
does not have yet; until it does, DataParallel and ModelParallel raise a clear error on this
backend instead of silently running on one device (README, "Distribution").
"""
from __future__ import annotations

import tensorflow as tf

SUPPORTS_MODEL_PARALLEL = False
SUPPORTS_DATA_PARALLEL = False
UNSUPPORTED = ("is not supported on the tensorflow backend yet: run with KERASLITE_BACKEND=jax "
               "for DataParallel and ModelParallel")


def list_devices(device_type: str | None = None) -> list[str]:
    """Logical device names ``"<kind>:<index>"`` (Keras's format), e.g. ``"cpu:0"``."""
    devices = tf.config.list_logical_devices(device_type.upper() if device_type else None)
    if device_type is None:
        gpus = [d for d in devices if d.device_type == "GPU"]
        devices = gpus or [d for d in devices if d.device_type == "CPU"]
    if not devices:
        raise ValueError(f"list_devices: no {device_type!r} devices are available to TensorFlow.")
    return [f"{d.device_type.lower()}:{d.name.rsplit(':', 1)[-1]}" for d in devices]


def sharding(mesh, axes):
    raise ValueError(f"Placing tensors on a DeviceMesh {UNSUPPORTED}.")


def place(value, target, dtype=None):
    raise ValueError(f"Placing tensors on a DeviceMesh {UNSUPPORTED}.")


def initialize(coordinator_address: str, num_processes: int, process_id: int,
               local_device_ids=None) -> None:
    raise ValueError(f"distribution.initialize {UNSUPPORTED}.")


def process_info() -> tuple[int, int]:
    return 0, 1
