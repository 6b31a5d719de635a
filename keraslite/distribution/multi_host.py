"""``initialize``: joins this process to a job of several processes (hosts)."""
from __future__ import annotations

import os

from keraslite.backends import distribution as B_dist


def initialize(job_addresses: str | None = None, num_processes: int | None = None,
               process_id: int | None = None) -> None:
    """Connects the processes of one job: ``jax.distributed.initialize`` on JAX,
    ``MultiWorkerMirroredStrategy`` on TensorFlow.

    Args:
        job_addresses: comma-separated ``"host:port"`` of every process, the first being the
            coordinator (process 0); on JAX the coordinator's alone is enough. Default: the
            ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` environment variable.
        num_processes: processes in the job (default ``KERAS_DISTRIBUTION_NUM_PROCESSES``).
        process_id: this process's index, 0 to num_processes - 1 (default
            ``KERAS_DISTRIBUTION_PROCESS_ID``).

    After it, ``list_devices()`` names the devices of every process, and a mesh over them
    trains one model across all hosts.
    """
    job_addresses = job_addresses or os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    num_processes = num_processes if num_processes is not None else _env_int(
        "KERAS_DISTRIBUTION_NUM_PROCESSES")
    process_id = process_id if process_id is not None else _env_int(
        "KERAS_DISTRIBUTION_PROCESS_ID")
    if not job_addresses or not isinstance(job_addresses, str):
        raise ValueError(f"initialize: job_addresses must be 'host:port' of the coordinator. "
                         f"Received: {job_addresses!r}")
    addresses = [a.strip() for a in job_addresses.split(",") if a.strip()]
    bad = [a for a in addresses if ":" not in a]
    if not addresses or bad:
        raise ValueError(f"initialize: every address needs a port ('host:port'). "
                         f"Received: {job_addresses!r}")
    for name, value in (("num_processes", num_processes), ("process_id", process_id)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"initialize: {name} must be a non-negative integer. "
                             f"Received: {value!r}")
    if num_processes < 1 or process_id >= num_processes:
        raise ValueError(f"initialize: process_id must be in [0, num_processes). Received: "
                         f"process_id={process_id}, num_processes={num_processes}")
    B_dist.initialize(addresses, num_processes, process_id)


def _env_int(name):
    value = os.environ.get(name)
    return None if value is None else int(value)
