"""Devices, the mesh they form, and how one tensor is laid out on it (Keras 3's
``DeviceMesh`` / ``TensorLayout``).

These are plain descriptions, checked when made; the backend turns them into its own objects
(``jax.sharding.Mesh`` and ``NamedSharding`` on JAX) only when arrays are placed.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from keraslite.backends import distribution as B_dist


def list_devices(device_type: str | None = None) -> list[str]:
    """Names of the devices of every process, e.g. ``["cpu:0", "cpu:1"]`` (``device_type``:
    ``"cpu"``, ``"gpu"``, ``"tpu"`` or None for the default kind)."""
    if device_type is not None and not isinstance(device_type, str):
        raise TypeError(f"list_devices: device_type must be a string such as 'cpu' or 'gpu'. "
                        f"Received: {device_type!r}")
    return B_dist.list_devices(device_type)


def get_device_count(device_type: str | None = None) -> int:
    """How many devices ``list_devices(device_type)`` names."""
    return len(list_devices(device_type))


class DeviceMesh:
    """An n-dimensional grid of devices with a name per axis.

    Args:
        shape: the grid's shape, e.g. ``(2, 4)``; its product is the number of devices.
        axis_names: one name per axis, e.g. ``("batch", "model")``.
        devices: device names (``list_devices()`` entries) or backend devices, in grid order;
            default: all devices, when their number matches ``shape``.
    """

    def __init__(self, shape: Sequence[int], axis_names: Sequence[str],
                 devices: Sequence | None = None):
        shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
        if not shape or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1
                            for d in shape):
            raise ValueError(f"DeviceMesh: shape must be a tuple of positive integers. "
                             f"Received: shape={shape!r}")
        axis_names = tuple(axis_names) if isinstance(axis_names, (list, tuple)) else (axis_names,)
        if len(axis_names) != len(shape) or not all(isinstance(a, str) for a in axis_names):
            raise ValueError(f"DeviceMesh: axis_names must hold one string per axis of shape "
                             f"{shape}. Received: axis_names={axis_names!r}")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"DeviceMesh: axis names must be distinct. Received: {axis_names}")
        available = list_devices()
        if devices is None:
            devices = available
        devices = list(np.asarray(devices, dtype=object).ravel())
        size = int(np.prod(shape))
        if size > len(available):
            raise ValueError(f"DeviceMesh: shape {shape} needs {size} devices, but only "
                             f"{len(available)} are present ({available}).")
        unknown = [d for d in devices if isinstance(d, str) and d.lower() not in available]
        if unknown:
            raise ValueError(f"DeviceMesh: unknown device {unknown[0]!r}. Available: {available}")
        if len(devices) != size:
            raise ValueError(f"DeviceMesh: shape {shape} needs {size} devices; "
                             f"{len(devices)} were given ({devices}).")
        self.shape = tuple(int(d) for d in shape)
        self.axis_names = axis_names
        self.devices = np.asarray(devices, dtype=object).reshape(self.shape)

    def axis_size(self, name: str) -> int:
        return self.shape[self.axis_names.index(name)]

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How one tensor is split over a mesh: per dimension, the mesh axis it is split along, or
    None (that dimension is whole on every device)."""

    def __init__(self, axes: Sequence[str | None], device_mesh: DeviceMesh | None = None):
        axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
        for axis in axes:
            if axis is not None and not isinstance(axis, str):
                raise TypeError(f"TensorLayout: each axis is a mesh axis name or None. "
                                f"Received: axes={axes!r}")
        named = [a for a in axes if a is not None]
        if len(set(named)) != len(named):
            raise ValueError(f"TensorLayout: a mesh axis may split one dimension only. "
                             f"Received: axes={axes!r}")
        self.axes = axes
        self._device_mesh = None
        if device_mesh is not None:
            self.device_mesh = device_mesh

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, mesh: DeviceMesh) -> None:
        if not isinstance(mesh, DeviceMesh):
            raise TypeError(f"TensorLayout: device_mesh must be a DeviceMesh. Received: {mesh!r}")
        missing = [a for a in self.axes if a is not None and a not in mesh.axis_names]
        if missing:
            raise ValueError(f"TensorLayout{self.axes}: the mesh has no axis {missing[0]!r} "
                             f"(its axes are {mesh.axis_names}).")
        self._device_mesh = mesh

    def check_shape(self, shape: Sequence[int], what: str) -> None:
        """A ValueError naming ``what`` unless ``shape`` can be split this way."""
        shape = tuple(shape)
        if len(shape) != len(self.axes):
            raise ValueError(f"{what}: layout {self.axes} has {len(self.axes)} axes, but the "
                             f"tensor has shape {shape} ({len(shape)} dimensions).")
        for dim, axis in zip(shape, self.axes):
            if axis is not None and dim % self._device_mesh.axis_size(axis):
                raise ValueError(
                    f"{what}: dimension of size {dim} cannot be split evenly over mesh axis "
                    f"{axis!r} of {self._device_mesh.axis_size(axis)} devices (layout "
                    f"{self.axes}, shape {shape}).")

    def backend_sharding(self):
        return B_dist.sharding(self._device_mesh, self.axes)

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self.axes}, device_mesh={self._device_mesh}>"
