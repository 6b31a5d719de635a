"""Distribution on TensorFlow: ``DataParallel`` runs the compiled loop under
``tf.distribute.MirroredStrategy``.

Each step of the loop calls ``strategy.run``: every replica takes its slice of the batch, the
optimizer averages gradients across replicas with the replica context's ``all_reduce`` (so every
replica applies the same update and the weights stay identical), and metric accumulators add the
sum of every replica's increment (``Variable.assign`` asks ``synced_assignment``). Moving
statistics that layers keep (aggregation "mean") are averaged. After ``initialize`` the loops run
under ``MultiWorkerMirroredStrategy`` across the job's workers instead. ``ModelParallel``
(sharded variables) is not supported on this backend: it raises a clear error when made.
"""
from __future__ import annotations

import functools
import json
import os

import tensorflow as tf

from keraslite.backends.tensorflow import core

SUPPORTS_MODEL_PARALLEL = False
SUPPORTS_DATA_PARALLEL = True
UNSUPPORTED = "is not supported on the tensorflow backend: use KERASLITE_BACKEND=jax"


def list_devices(device_type: str | None = None) -> list[str]:
    """Logical device names ``"<kind>:<index>"`` (Keras's format), e.g. ``"cpu:0"``."""
    devices = tf.config.list_logical_devices(device_type.upper() if device_type else None)
    if device_type is None:
        gpus = [d for d in devices if d.device_type == "GPU"]
        devices = gpus or [d for d in devices if d.device_type == "CPU"]
    if not devices:
        raise ValueError(f"list_devices: no {device_type!r} devices are available to TensorFlow.")
    return [f"{d.device_type.lower()}:{d.name.rsplit(':', 1)[-1]}" for d in devices]


class Mirrored:
    """TensorFlow's 'sharding': every tensor whole on every replica of a MirroredStrategy."""

    def __init__(self, mesh, axes):
        self.devices = tuple(str(d) for d in mesh.devices.ravel())
        self.axes = tuple(axes)

    def __eq__(self, other):
        return isinstance(other, Mirrored) and other.devices == self.devices

    def __hash__(self):
        return hash(self.devices)


def sharding(mesh, axes) -> Mirrored:
    return Mirrored(mesh, axes)


_multi_worker = {"strategy": None}


def strategy(devices: tuple) -> tf.distribute.Strategy:
    """The job's MultiWorkerMirroredStrategy after ``initialize``; else one MirroredStrategy
    per device set (``("cpu:0", "cpu:1")``)."""
    return _multi_worker["strategy"] or _mirrored(devices)


@functools.lru_cache(maxsize=None)
def _mirrored(devices: tuple) -> tf.distribute.MirroredStrategy:
    return tf.distribute.MirroredStrategy([f"/{d.split(':')[0]}:{d.split(':')[1]}"
                                           for d in devices])


def place(value, target, dtype=None):
    """Nothing to place: the strategy hands each replica the whole tensor."""
    return core.variable_value(value, dtype=dtype)


def _replica_context():
    if not tf.distribute.has_strategy():
        return None
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


def mean_over_replicas(grads: list) -> list:
    """Gradients averaged over the replicas of the running step (as they are on one replica)."""
    context = _replica_context()
    if context is None:
        return grads
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, grads)


def synced_assignment(variable, current, value):
    """The value every replica assigns: accumulators (aggregation "sum") add every replica's
    increment; floating statistics a layer keeps (non-trainable, "mean") are averaged."""
    context = _replica_context()
    if context is None:
        return value
    if variable.aggregation == "sum":
        before = current()
        return before + context.all_reduce(tf.distribute.ReduceOp.SUM, value - before)
    if variable.aggregation == "mean" and not variable.trainable and value.dtype.is_floating:
        return context.all_reduce(tf.distribute.ReduceOp.MEAN, value)
    return value


def initialize(job_addresses: list[str], num_processes: int, process_id: int) -> None:
    """Joins a job of several workers: ``TF_CONFIG`` names every worker's address, and one
    ``MultiWorkerMirroredStrategy`` (collectives over gRPC) then runs every DataParallel loop.
    Call it first thing: TensorFlow configures collectives before its runtime starts."""
    if len(job_addresses) != num_processes:
        raise ValueError(
            f"initialize: on the tensorflow backend job_addresses lists every worker's "
            f"'host:port' ({num_processes} expected). Received: {job_addresses}")
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": list(job_addresses)},
                                          "task": {"type": "worker", "index": process_id}})
    _multi_worker["strategy"] = tf.distribute.MultiWorkerMirroredStrategy()
    _multi_worker["process"] = (process_id, num_processes)


def process_info() -> tuple[int, int]:
    return _multi_worker.get("process", (0, 1))
