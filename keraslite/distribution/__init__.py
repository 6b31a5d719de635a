"""Data- and model-parallel training on the backend's own engine (Keras 3's
``keras.distribution`` API): ``DeviceMesh``, ``TensorLayout``, ``LayoutMap``, ``DataParallel``,
``ModelParallel``, ``set_distribution`` / ``distribution`` and ``initialize`` for several hosts.

On JAX, layouts become ``jax.sharding`` shardings and XLA's SPMD partitioner runs the compiled
multi-step loops sharded. See docs/distribution.md.
"""
from keraslite.distribution.device_mesh import (DeviceMesh, TensorLayout, get_device_count,
                                                list_devices)
from keraslite.distribution.distributions import (DataParallel, Distribution, ModelParallel,
                                                  distribute_tensor, distribution,
                                                  set_distribution)
from keraslite.distribution.layout_map import LayoutMap
from keraslite.distribution.multi_host import initialize

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap", "ModelParallel",
           "TensorLayout", "distribute_tensor", "distribution", "get_device_count",
           "initialize", "list_devices", "set_distribution"]
