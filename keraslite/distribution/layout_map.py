"""``LayoutMap``: layouts for variables, chosen by regular expressions over their paths.

Keys are matched against the model state's paths (``layers/dense_1/kernel``,
``optimizer/momentum/layers/dense_1/kernel``, see ``Model.get_state``) and, while a layer creates
a variable, against the variable's own path (``dense_1/kernel``), with ``re.search``: so
``"dense.*kernel"`` lays out a Dense kernel and the optimizer slots that follow it alike.
"""
from __future__ import annotations

import collections.abc
import re

from keraslite.distribution.device_mesh import DeviceMesh, TensorLayout


class LayoutMap(collections.abc.MutableMapping):
    """``layout_map["dense.*kernel"] = (None, "model")`` (or a ``TensorLayout``)."""

    def __init__(self, device_mesh: DeviceMesh):
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"LayoutMap: device_mesh must be a DeviceMesh. "
                            f"Received: {device_mesh!r}")
        self.device_mesh = device_mesh
        self._layouts: dict[str, TensorLayout] = {}
        self._patterns: dict[str, re.Pattern] = {}

    def __setitem__(self, key: str, layout) -> None:
        if not isinstance(key, str):
            raise TypeError(f"LayoutMap: keys are regular expressions (strings). Received: {key!r}")
        try:
            pattern = re.compile(key)
        except re.error as error:
            raise ValueError(f"LayoutMap: key {key!r} is not a valid regular expression: "
                             f"{error}") from None
        if key in self._layouts:
            raise ValueError(f"LayoutMap: key {key!r} already has a layout "
                             f"{self._layouts[key].axes}.")
        if not isinstance(layout, TensorLayout):
            if not isinstance(layout, (tuple, list)):
                raise TypeError(f"LayoutMap[{key!r}]: a layout is a tuple of mesh axis names "
                                f"(or None) or a TensorLayout. Received: {layout!r}")
            layout = TensorLayout(layout)
        layout.device_mesh = self.device_mesh  # checks the axis names against the mesh
        self._layouts[key] = layout
        self._patterns[key] = pattern

    def __getitem__(self, path: str) -> TensorLayout | None:
        """The layout for ``path``: the key equal to it, else the one key that matches it
        (``re.search``), else None. Two matching keys are an error naming both."""
        return self.lookup((path,))

    def lookup(self, paths) -> TensorLayout | None:
        """The layout for a variable known by several ``paths`` (its model-state path and its
        own ``layer/name`` path): a key equal to one of them, else the one key matching any."""
        for path in paths:
            if path in self._layouts:
                return self._layouts[path]
        matches = self.matching_keys(paths)
        if len(matches) > 1:
            raise ValueError(f"LayoutMap: variable {paths[0]!r} matches more than one key: "
                             f"{matches}. Make the regular expressions exclusive.")
        return self._layouts[matches[0]] if matches else None

    def matching_keys(self, paths) -> list[str]:
        return [k for k, p in self._patterns.items()
                if any(k == path or p.search(path) for path in paths)]

    def __delitem__(self, key: str) -> None:
        del self._layouts[key]
        del self._patterns[key]

    def __len__(self) -> int:
        return len(self._layouts)

    def __iter__(self):
        return iter(self._layouts)
