"""Distribution on JAX: meshes and shardings of ``jax.sharding``, hosts joined by
``jax.distributed``.

keraslite's ``DeviceMesh`` / ``TensorLayout`` (``keraslite/distribution``) are plain descriptions;
this module turns them into ``jax.sharding.Mesh`` and ``NamedSharding`` and places arrays. XLA's
SPMD partitioner does the rest: a compiled step over sharded inputs runs sharded, with the
collectives (gradient all-reduce, gathers of model-parallel kernels) inserted by the compiler.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

SUPPORTS_MODEL_PARALLEL = True
SUPPORTS_DATA_PARALLEL = True


def list_devices(device_type: str | None = None) -> list[str]:
    """Device names ``"<platform>:<global id>"`` of every process (Keras's format)."""
    if device_type is None:
        devices = jax.devices()
    else:
        try:
            devices = jax.devices(device_type.lower())
        except RuntimeError as error:
            raise ValueError(
                f"list_devices: no {device_type!r} devices are available to JAX "
                f"({error}). Available: {[d.platform for d in jax.devices()]}") from None
    return [f"{d.platform}:{d.id}" for d in devices]


def _device_of(name):
    if not isinstance(name, str):
        return name  # already a jax Device
    platform, _, index = name.partition(":")
    for device in jax.devices():
        if f"{device.platform}:{device.id}" == f"{platform.lower()}:{index}":
            return device
    raise ValueError(f"DeviceMesh: unknown device {name!r}. Available: {list_devices()}")


@functools.lru_cache(maxsize=None)
def _mesh(shape: tuple, axis_names: tuple, devices: tuple) -> Mesh:
    array = np.empty(len(devices), dtype=object)
    array[:] = [_device_of(d) for d in devices]
    return Mesh(array.reshape(shape), axis_names)


def sharding(mesh, axes) -> NamedSharding:
    """The NamedSharding of ``axes`` (one mesh axis name or None per array dimension) on the
    keraslite ``mesh`` (a DeviceMesh)."""
    jax_mesh = _mesh(tuple(mesh.shape), tuple(mesh.axis_names), tuple(mesh.devices.ravel()))
    return NamedSharding(jax_mesh, PartitionSpec(*axes))


def place(value, target: NamedSharding, dtype: str | None = None):
    """``value`` laid out as ``target``: each device receives only its own shard (a host array
    is cast and split on the host, never copied whole to one device first)."""
    if isinstance(value, jax.Array) and value.is_fully_addressable \
            and not target.is_fully_addressable:
        # A process-local array onto a mesh spanning several processes: every process holds
        # the same host value (same script, same data), and each keeps its own shards of it.
        value = np.asarray(value)
    if isinstance(value, jax.Array):
        if dtype is not None and value.dtype != jnp.dtype(dtype):
            value = value.astype(dtype)
        return value if value.sharding == target else jax.device_put(value, target)
    value = np.asarray(value)
    if dtype is not None and value.dtype != jnp.dtype(dtype):
        value = value.astype(jnp.dtype(dtype))
    return jax.device_put(value, target)


def constrain(value, target: NamedSharding):
    """Inside a compiled function: asks XLA to keep ``value`` laid out as ``target``."""
    return jax.lax.with_sharding_constraint(value, target)


def mean_over_replicas(grads: list) -> list:
    """Nothing to do: under SPMD there is one program; XLA sums gradients across devices."""
    return grads


def synced_assignment(variable, current, value):
    """Nothing to do: under SPMD every assignment is already global."""
    return value


def initialize(job_addresses: list[str], num_processes: int, process_id: int) -> None:
    """Joins this process to a multi-host JAX job (``jax.distributed.initialize``; the first
    address is the coordinator's). On CPU the processes exchange collectives over gloo (TCP),
    so a job can run on one machine."""
    # Only CPU collectives read this; GPUs and TPUs use their own (NCCL, ICI).
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=job_addresses[0],
                               num_processes=num_processes, process_id=process_id)


def process_info() -> tuple[int, int]:
    """``(process index, process count)``."""
    return jax.process_index(), jax.process_count()
