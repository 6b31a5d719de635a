"""``DataParallel`` and ``ModelParallel``: what is split, and the distribution in force.

A distribution answers two questions, and the rest of keraslite asks only these:

- ``variable_layout(paths, shape)``: how a variable is laid out (replicated, or split by a
  ``LayoutMap`` entry);
- ``batch_axis``: the mesh axis a batch's first dimension is split along.

Variables created while a distribution is in force are placed as it says (each device receives
its shard only); the compiled train/test loops pin the state to those layouts and split every
batch over the batch axis, so the multi-step loop runs sharded with no host round trip per step.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Sequence

from keraslite.backends import distribution as B_dist
from keraslite.distribution.device_mesh import DeviceMesh, TensorLayout, list_devices
from keraslite.distribution.layout_map import LayoutMap

_global = {"distribution": None}
_scoped = threading.local()


class Distribution:
    """Base class: a device mesh and the name of its batch axis."""

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str):
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"{type(self).__name__}: device_mesh must be a DeviceMesh. "
                            f"Received: {device_mesh!r}")
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"{type(self).__name__}: batch_dim_name {batch_dim_name!r} is not "
                             f"an axis of the mesh {device_mesh.axis_names}.")
        self.device_mesh = device_mesh
        self.batch_dim_name = batch_dim_name

    @property
    def batch_axis_size(self) -> int:
        return self.device_mesh.axis_size(self.batch_dim_name)

    def get_data_layout(self, data_shape: Sequence[int]) -> TensorLayout:
        """The first dimension split over the batch axis, the others whole."""
        axes = (self.batch_dim_name,) + (None,) * (len(tuple(data_shape)) - 1)
        return TensorLayout(axes, self.device_mesh)

    def replicated(self, rank: int) -> TensorLayout:
        return TensorLayout((None,) * rank, self.device_mesh)

    def variable_layout(self, paths: str | Sequence[str], shape: Sequence[int]) -> TensorLayout:
        """The layout of a variable known by ``paths`` (its model-state path and/or its own
        ``layer/name`` path)."""
        return self.replicated(len(tuple(shape)))

    def get_variable_layout(self, variable) -> TensorLayout:
        """Keras's name: the layout of ``variable`` (by its path)."""
        return self.variable_layout(variable.path, variable.shape)

    def check_batch_size(self, batch_size: int, what: str = "batch_size") -> None:
        """A ValueError unless ``batch_size`` splits evenly over the batch axis."""
        if batch_size % self.batch_axis_size:
            raise ValueError(
                f"{what}={batch_size} cannot be split evenly over the {self.batch_axis_size} "
                f"devices of mesh axis {self.batch_dim_name!r}: use a multiple of "
                f"{self.batch_axis_size}.")

    def check_paths(self, paths: Sequence[Sequence[str]]) -> None:
        """Hook for distributions whose layouts name paths (see ModelParallel)."""

    @contextlib.contextmanager
    def scope(self):
        """``with distribution.scope():`` in force for the block only (this thread)."""
        stack = getattr(_scoped, "stack", None)
        if stack is None:
            stack = _scoped.stack = []
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Every variable on every device; each batch split over the devices (its first
    dimension), gradients combined by the compiler's all-reduce.

    Args:
        device_mesh: a 1-D mesh (its one axis is the batch axis); or
        devices: device names to build one from (default: all devices).
    """

    def __init__(self, device_mesh: DeviceMesh | None = None, devices: Sequence | None = None,
                 auto_shard_dataset: bool = True):
        if device_mesh is None:
            devices = list(devices) if devices is not None else list_devices()
            device_mesh = DeviceMesh((len(devices),), ("batch",), devices)
        elif devices is not None:
            raise ValueError("DataParallel: pass device_mesh or devices, not both.")
        if len(device_mesh.shape) != 1:
            raise ValueError(f"DataParallel: needs a 1-D device mesh. Received one of shape "
                             f"{device_mesh.shape}; use ModelParallel for more axes.")
        super().__init__(device_mesh, device_mesh.axis_names[0])
        self.auto_shard_dataset = auto_shard_dataset


class ModelParallel(Distribution):
    """Variables laid out by a ``LayoutMap`` (unmatched ones replicated); batches split over
    ``batch_dim_name`` (default: the mesh's first axis)."""

    def __init__(self, *, layout_map: LayoutMap | None = None, batch_dim_name: str | None = None,
                 auto_shard_dataset: bool = True, device_mesh: DeviceMesh | None = None):
        if not B_dist.SUPPORTS_MODEL_PARALLEL:
            raise ValueError("ModelParallel is not supported on the tensorflow backend: use "
                             "KERASLITE_BACKEND=jax, or DataParallel.")
        if not isinstance(layout_map, LayoutMap):
            raise TypeError(f"ModelParallel: layout_map must be a LayoutMap. "
                            f"Received: {layout_map!r}")
        mesh = device_mesh or layout_map.device_mesh
        super().__init__(mesh, batch_dim_name or mesh.axis_names[0])
        self.layout_map = layout_map
        self.auto_shard_dataset = auto_shard_dataset

    def variable_layout(self, paths: str | Sequence[str], shape: Sequence[int]) -> TensorLayout:
        paths = (paths,) if isinstance(paths, str) else tuple(paths)
        layout = self.layout_map.lookup(paths)
        if layout is None:
            return self.replicated(len(tuple(shape)))
        layout.check_shape(shape, f"variable {paths[0]!r}")
        return layout

    def check_paths(self, paths: Sequence[Sequence[str]]) -> None:
        """Every LayoutMap key must match some variable of the model (``paths``: each
        variable's paths), else a typo would leave a large kernel silently replicated."""
        used = {k for p in paths for k in self.layout_map.matching_keys(p)}
        for key in self.layout_map:
            if key not in used:
                raise ValueError(
                    f"LayoutMap key {key!r} matches no variable of the model. Variables are "
                    f"known by paths such as {[p for ps in list(paths)[:3] for p in ps]}.")


def distribution() -> Distribution | None:
    """The distribution in force: the innermost ``scope()``, else ``set_distribution``'s."""
    stack = getattr(_scoped, "stack", None)
    return stack[-1] if stack else _global["distribution"]


def set_distribution(value: Distribution | None) -> None:
    """Sets the distribution for everything that follows (None: one device again)."""
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"set_distribution: expected a DataParallel or ModelParallel (or None). "
                        f"Received: {value!r}")
    _global["distribution"] = value


def distribute_tensor(tensor, layout: TensorLayout):
    """``tensor`` placed on the devices as ``layout`` says."""
    if not isinstance(layout, TensorLayout) or layout.device_mesh is None:
        raise ValueError(f"distribute_tensor: layout must be a TensorLayout with a device_mesh. "
                         f"Received: {layout!r}")
    layout.check_shape(getattr(tensor, "shape", ()), "distribute_tensor")
    return B_dist.place(tensor, layout.backend_sharding())
