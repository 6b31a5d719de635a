"""Matching a model to a Keras 3 ``.weights.h5`` file.

Keras 3 stores each layer's own weights as ``<place>/vars/0``, ``vars/1``, ... in the layer's
creation order (trainable, then non-trainable), where the place is structural, not the layer's
name (automatic names differ between sessions):

- a Sequential or functional model keeps its layers under ``layers/<key>``, in the order of
  ``model.layers``; the key is the class name in snake case, numbered when a class repeats
  (``dense``, ``dense_1``);
- any other sublayer sits under the attribute that holds it (``cell``, ``forward_layer``,
  ``query_dense``, a subclassed model's ``self.encoder``), public attribute names before private
  ones, alphabetically; a list or dict attribute holds its layers under ``<attr>/<key>``; a
  subclassed model's ``layers`` property counts as such a list attribute;
- a layer reachable twice is stored once, at the first place visited in that order.

Keras 3 also writes each layer's name (``vars`` attribute ``name``) as a variable-length string;
it is not read, since names play no part in matching and such strings are not read from untrusted
files (see ``h5_safety.SafeH5File.read_strings``). The top-level ``optimizer`` group is not
loaded.

A layer that overrides ``load_own_variables`` (Keras's custom saving hook) gets its ``vars``
group whole, whatever the dataset names, as a ``StorePlan``: the loader hands it the arrays as a
dict (see ``own_variables``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from keraslite.saving.h5_plan import LayerPlan
from keraslite.saving.own_variables import has_hooks

# Groups Keras writes for objects other than the model's layers.
_IGNORED_TOP_LEVEL = {"optimizer"}
# keraslite bookkeeping attributes that hold layers already reached another way.
_SKIPPED_ATTRIBUTES = {"_layers", "_functional", "_inbound_nodes"}


def keras_class_key(layer) -> str:
    """The snake-case class name Keras 3 files use as a layer's key in a list of layers."""
    name = re.sub(r"\W+", "", type(layer).__name__)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


@dataclass
class StorePlan:
    """The file's ``vars`` group of a layer with its own saving hook: ``entries`` are
    ``(store key, dataset path, dataset)``, handed to ``layer.load_own_variables``."""

    label: str
    where: str
    layer: object
    variables: list  # the layer's own variables (loaded by the hook, not by position)
    entries: list = field(default_factory=list)


def plan(model, safe_file) -> list:
    """One ``LayerPlan`` per layer with weights in the model or in the file."""
    return plan_with_stores(model, safe_file)[0]


def plan_with_stores(model, safe_file) -> tuple[list, list]:
    """``(LayerPlans, StorePlans)``: the layers matched by position, and those with their own
    saving hook."""
    walk = LayoutWalk(safe_file)
    walk.visit(model, "", "")
    walk.add_unclaimed_file_groups()
    return walk.plans, walk.stores


class LayoutWalk:
    """Visits a model's layers in Keras 3's order and place, collecting ``LayerPlan``s against
    an open file; the ``.weights.h5`` writer walks the same way (see keras_h5_writer.py)."""

    def __init__(self, safe_file):
        self.file = safe_file
        self.root = safe_file.root
        self.visited = set()
        self.claimed = set()
        self.plans = []
        self.stores = []
        self._listed = {}  # group path -> the set of link names in it ("" is the root)

    def visit(self, layer, path, label):
        if id(layer) in self.visited:
            return
        self.visited.add(id(layer))
        own = list(layer._own_weights())
        vars_path = join_path(path, "vars")
        self.claimed.add(vars_path)
        if has_hooks(layer):
            where, entries = self._store(vars_path)
            self.stores.append(StorePlan(label or layer.name, where, layer, own, entries))
        else:
            where, entries = self._vars(vars_path)
            if own or entries:
                self.plans.append(LayerPlan(label or layer.name, where, own, entries))
        for child_path, child in self._children(layer, path):
            self.visit(child, child_path, join_path(label, child.name))

    def _exists(self, path):
        """Whether ``path`` names a link in the file. Answered from each group's listing, read
        once: ``_place`` asks for two or three spellings of every attribute of every layer,
        and asking h5py one path at a time took 0.2 s of loading ResNet50."""
        if not path:
            return False
        parent, _, name = path.rpartition("/")
        return name in self._names_under(parent)

    def _names_under(self, path):
        names = self._listed.get(path)
        if names is None:
            names = set()
            if not path or self._exists(path):
                group = self.root if not path else self.file.child(self.root, path, path)
                if group is not None and isinstance(group, self.file.h5py.Group):
                    names = set(self.file.names(group, path))
            self._listed[path] = names
        return names

    def _vars(self, vars_path):
        """(description, [(dataset path, dataset)]) for a ``vars`` group; no entries if absent."""
        h5py = self.file.h5py
        where = f"'{vars_path}'"
        group = self.file.child(self.root, vars_path, vars_path)
        if group is None:
            return where, []
        if not isinstance(group, h5py.Group):
            raise self.file.corrupt(f"'{vars_path}'", "should be a group of weight arrays.")
        keys = self.file.names(group, vars_path)
        if sorted(keys) != sorted(str(i) for i in range(len(keys))):
            raise self.file.corrupt(
                f"group '{vars_path}'",
                f"should hold datasets named 0..{len(keys) - 1}; found {keys[:8]}. Other names "
                "come from a layer's own save_own_variables: give the keraslite class the same "
                "save_own_variables/load_own_variables overrides.")
        entries = []
        for i in range(len(keys)):
            dataset = self.file.child(group, str(i), f"{vars_path}/{i}")
            if not isinstance(dataset, h5py.Dataset):
                raise self.file.corrupt(f"'{vars_path}/{i}'", "should be a dataset.")
            entries.append((f"{vars_path}/{i}", dataset))
        return where, entries

    def _store(self, vars_path):
        """(description, [(key, dataset path, dataset)]) for every dataset of a ``vars`` group,
        whatever its name (a layer's own saving hook chose the keys); none if absent."""
        h5py = self.file.h5py
        group = self.file.child(self.root, vars_path, vars_path)
        if group is None:
            return f"'{vars_path}'", []
        if not isinstance(group, h5py.Group):
            raise self.file.corrupt(f"'{vars_path}'", "should be a group of weight arrays.")
        entries = []
        for key in self.file.names(group, vars_path):
            dataset = self.file.child(group, key, f"{vars_path}/{key}")
            if not isinstance(dataset, h5py.Dataset):
                raise self.file.corrupt(f"'{vars_path}/{key}'", "should be a dataset.")
            entries.append((key, f"{vars_path}/{key}", dataset))
        return f"'{vars_path}'", entries

    def _children(self, layer, path):
        """(file path, sublayer) pairs in the order Keras 3 visits them."""
        from keraslite.layers.layer import Layer
        from keraslite.models.functional import Functional
        from keraslite.models.model import Model
        from keraslite.models.sequential import Sequential

        out = []
        attributes = dict(_attributes(layer))
        if isinstance(layer, (Functional, Sequential)):
            out += _keyed(join_path(path, "layers"), layer.layers)
        elif isinstance(layer, Model):
            # A subclassed model's ``layers`` property is walked like any attribute, so the
            # sublayers no earlier attribute reached are stored under ``layers/<key>``.
            attributes["layers"] = assigned_sublayers(layer)
        for name, value in sorted(attributes.items(), key=lambda item: _keras_order(item[0])):
            if isinstance(value, Layer):
                out.append((self._place(path, name), value))
            elif isinstance(value, (list, tuple, dict)):
                items = list(value.values()) if isinstance(value, dict) else list(value)
                out += _keyed(self._place(path, name), items)
        return out

    def _place(self, path, name):
        """The attribute's group in the file. keraslite may keep a sublayer under ``_name``
        where Keras exposes it as ``name`` (or the reverse), so the other spelling is tried
        when only it exists in the file."""
        direct = join_path(path, name)
        if self._exists(direct):
            return direct
        for other in (name.lstrip("_"), "_" + name):
            if other and self._exists(join_path(path, other)):
                return join_path(path, other)
        return direct

    def add_unclaimed_file_groups(self):
        """A plan with no model variables for every weight group no layer of the model took."""
        h5py = self.file.h5py
        found = []

        def collect(name, obj):
            top = name.split("/", 1)[0]
            if (isinstance(obj, h5py.Group) and name.rsplit("/", 1)[-1] == "vars"
                    and top not in _IGNORED_TOP_LEVEL and name not in self.claimed):
                found.append(name)

        try:
            self.root.visititems(collect)
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.file.corrupt("the file", f"cannot be walked ({error}).") from error
        for vars_path in sorted(found):
            where, entries = self._vars(vars_path)
            if entries:
                self.plans.append(LayerPlan(vars_path.rsplit("/vars", 1)[0], where, [], entries))


def _attributes(layer):
    """(name, value) for every attribute that may hold sublayers: instance attributes, plus
    properties defined by user classes (Keras files use e.g. ``encoder`` for a property over
    ``self._encoder``)."""
    items = dict((k, v) for k, v in vars(layer).items() if k not in _SKIPPED_ATTRIBUTES)
    for cls in type(layer).__mro__:
        if cls.__module__.split(".")[0] == "keraslite" or cls is object:
            continue
        for name, member in vars(cls).items():
            if isinstance(member, property) and name not in items:
                try:
                    items[name] = getattr(layer, name)
                except Exception:  # a property that fails is not a saved sublayer
                    continue
    return items.items()


def assigned_sublayers(model):
    """The model's direct sublayers in the order they were assigned, as Keras lists
    ``model.layers``: private attributes and dict values included (keraslite's own ``layers``
    leaves those out, so it would number the keys differently)."""
    from keraslite.layers.layer import Layer

    out, seen = [], set()
    for name, value in vars(model).items():
        if name in _SKIPPED_ATTRIBUTES:
            continue
        if isinstance(value, dict):
            value = list(value.values())
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, Layer) and id(item) not in seen:
                seen.add(id(item))
                out.append(item)
    return out


def _keras_order(name):
    # Keras visits public attributes first, then private ones, each alphabetically.
    return (name.startswith("_"), name)


def _keyed(path, items):
    """(path/<key>, layer) for the layers of a list, keyed by class name as Keras numbers them."""
    from keraslite.layers.layer import Layer

    out, used = [], {}
    for item in items:
        if not isinstance(item, Layer):
            continue
        base = keras_class_key(item)
        count = used.get(base, -1) + 1
        used[base] = count
        out.append((join_path(path, base if count == 0 else f"{base}_{count}"), item))
    return out


def join_path(*parts):
    """Joins HDF5 path parts, skipping empty ones."""
    return "/".join(p for p in parts if p)
