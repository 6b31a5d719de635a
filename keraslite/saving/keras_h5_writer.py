"""``save_weights("x.weights.h5")``: weights in Keras 3's HDF5 layout, which Keras 3 can load.

Keras scripts save weights to ``.weights.h5`` names; writing Keras's own layout there (the same
places ``keras3_h5_layout`` reads) lets such scripts run unchanged and moves weights from
keraslite to Keras. The file is written atomically like every other keraslite file. Each
layer's ``vars`` group is the store its ``save_own_variables`` fills (``"0"``, ``"1"``, ... by
default; any keys for a layer that overrides it, see ``own_variables``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from keraslite.saving.atomic_io import atomic_writer
from keraslite.saving.keras3_h5_layout import LayoutWalk, join_path
from keraslite.saving.own_variables import saved_store

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath


class _NoFile:
    """Stands in for an open file: no group exists, so every place is Keras's default one."""

    root = None

    @staticmethod
    def child(*args):
        return None


class _Places(LayoutWalk):
    """Walks a model in Keras 3's order, collecting ``(vars group path, layer name, store)``
    where the store is ``{key: array}`` from the layer's ``save_own_variables``."""

    def __init__(self):
        super().__init__(_NoFile())
        self.places = []

    def visit(self, layer, path, label):
        if id(layer) in self.visited:
            return
        self.visited.add(id(layer))
        store = saved_store(layer)
        if store:
            self.places.append((join_path(path, "vars"), layer.name, store))
        for child_path, child in self._children(layer, path):
            self.visit(child, child_path, label)


def save_keras_weights(model: Model, path: FilePath) -> None:
    """Writes ``model``'s weights to ``path`` in the Keras 3 ``.weights.h5`` layout."""
    try:
        import h5py
    except ImportError:
        raise ImportError("Writing '.weights.h5' files needs h5py: pip install "
                          "\"keraslite[h5]\" (or save to '.safetensors', which needs nothing).")
    walk = _Places()
    walk.visit(model, "", "")
    with atomic_writer(path, readable=True) as f:
        with h5py.File(f, "w") as h5:
            for vars_path, layer_name, store in walk.places:
                group = h5.create_group(vars_path)
                group.attrs["name"] = layer_name
                for key, array in store.items():
                    group.create_dataset(key, data=array)
