"""The layouts a compiled train/test loop runs under, from the distribution in force.

``LoopLayout`` holds one backend sharding per variable the loop reads or carries (looked up by
the variable's model-state path) and says how a batch is split. The backend's loop compiler
(``backends/<name>/compile.py``) pins the carried state to these layouts inside the compiled
loop, so state keeps its layout from call to call and XLA never has to guess it.
"""
from __future__ import annotations

from typing import Sequence

from keraslite.backends import distribution as B_dist
from keraslite.distribution.distributions import Distribution


class LoopLayout:
    def __init__(self, dist: Distribution, read_only: Sequence[tuple[str, tuple]],
                 carried: Sequence[tuple[str, tuple]]):
        """``read_only`` / ``carried``: ``(path, shape)`` of each variable, in loop order."""
        self.distribution = dist
        self.read_only = [dist.variable_layout(p, s).backend_sharding() for p, s in read_only]
        self.carried = [dist.variable_layout(p, s).backend_sharding() for p, s in carried]
        self.replicated = dist.replicated(0).backend_sharding()
        self._placed_data = (None, None)

    def batch(self, shape: Sequence[int]):
        """The sharding of a batch array of ``shape``, split along its first dimension; None
        when that dimension does not divide over the batch axis (the batch then runs whole on
        every device: a last, smaller batch of an epoch, for example)."""
        shape = tuple(shape)
        if not shape or shape[0] % self.distribution.batch_axis_size:
            return None
        return self.distribution.get_data_layout(shape).backend_sharding()

    def place(self, values, shardings):
        return [B_dist.place(v, s) for v, s in zip(values, shardings)]

    def place_data(self, data):
        """The data arrays replicated on the mesh; the last list placed is remembered, so the
        resident arrays of an array-fed fit are copied to the devices once, not per call."""
        last_in, last_out = self._placed_data
        if data is last_in:
            return last_out
        out = [B_dist.place(a, self.replicated) for a in data]
        self._placed_data = (data, out)
        return out

    def place_replicated(self, value):
        return B_dist.place(value, self.replicated)
