"""Matching a model to a legacy Keras 2 / tf.keras HDF5 weight file.

The layout (also that of the published keras-applications ImageNet weights): the root, or the
``model_weights`` group of a full-model file, has an attribute ``layer_names``; each listed layer
has a group with an attribute ``weight_names`` (``"dense/kernel:0"``, ...) naming its datasets,
relative to the group, in the order Keras 2 saved them: the layer's trainable weights, then its
non-trainable ones (each list covering sublayers too). Long attributes are split into
``layer_names0``, ``layer_names1``, ...

Matching rules, for the layers that have weights (weightless ones are ignored on both sides):

1. Layers: by name when the model's and the file's layer names are the same set; otherwise by
   position (Keras's ``by_name=False`` rule), which needs the same number of layers. With
   ``skip_mismatch=True`` and differing counts, layers are matched by name and the others skipped.
2. Weights within a layer: by name when every saved name ends with ``<layer>/<weight>`` of
   exactly one of the layer's weights (this survives trainable flags that differ from the saving
   model's); otherwise by position in Keras 2's order (trainable, then non-trainable).
"""
from __future__ import annotations

import re

from keraslite.saving.h5_plan import LayerPlan
from keraslite.saving.keras3_h5_layout import assigned_sublayers

_MAX_ATTRIBUTE_CHUNKS = 100_000


def has_layout(safe_file, group, where) -> bool:
    """Whether the group carries the legacy ``layer_names`` attribute (whole or in chunks)."""
    return any(safe_file.has_attribute(group, name, where)
               for name in ("layer_names", "layer_names0"))


def plan(model, safe_file, root, root_path, skip_mismatch) -> list:
    """One ``LayerPlan`` per layer with weights in the model or in the file."""
    saved = _saved_layers(safe_file, root, root_path)
    layers = [layer for layer in _top_layers(model) if layer.weights]
    plans = []
    for layer, saved_layer in _pair_layers(layers, saved, skip_mismatch):
        if saved_layer is None:
            where = (f"'{root_path or '/'}', which saves {len(saved)} layer(s) with weights, none "
                     f"named '{layer.name}'; the model has {len(layers)}")
            plans.append(LayerPlan(layer.name, where, list(layer.weights)))
            continue
        name, where, entries = saved_layer
        if layer is None:
            plans.append(LayerPlan(name, where, [], entries))
            continue
        where = where if name == layer.name else f"{where} (matched by position)"
        plans.append(LayerPlan(layer.name, where, _order_weights(layer, entries), entries))
    return plans


def _saved_layers(safe_file, root, root_path):
    """[(layer name, description, [(dataset path, dataset)])] for layers saved with weights."""
    h5py = safe_file.h5py
    names = _string_list(safe_file, root, "layer_names", root_path) or []
    out = []
    for name in names:
        path = f"{root_path}/{name}"
        group = safe_file.child(root, name, path) if _plain_name(name) else None
        if not isinstance(group, h5py.Group):
            raise safe_file.corrupt(f"'{root_path or '/'}'",
                                    f"lists layer '{name}' in layer_names but has no group for it.")
        weight_names = _string_list(safe_file, group, "weight_names", path) or []
        entries = []
        for weight_name in weight_names:
            dataset = (safe_file.child(group, weight_name, f"{path}/{weight_name}")
                       if _plain_path(weight_name) else None)
            if not isinstance(dataset, h5py.Dataset):
                raise safe_file.corrupt(f"group '{path}'",
                                        f"lists weight '{weight_name}' but holds no such dataset.")
            entries.append((f"{path}/{weight_name}", dataset))
        if entries:
            out.append((name, f"'{path}'", entries))
    return out


def _string_list(safe_file, obj, name, where):
    value = safe_file.read_strings(obj, name, where)
    if value is not None:
        return value
    chunks = []
    while len(chunks) < _MAX_ATTRIBUTE_CHUNKS:
        chunk = safe_file.read_strings(obj, f"{name}{len(chunks)}", where)
        if chunk is None:
            break
        chunks.append(chunk)
    return [item for chunk in chunks for item in chunk] if chunks else None


def _plain_name(name):
    return bool(name) and "/" not in name and name not in (".", "..")


def _plain_path(path):
    # Relative to the layer's group only: no absolute path, no empty or dot components.
    return bool(path) and all(part not in ("", ".", "..") for part in path.split("/"))


def _top_layers(model):
    from keraslite.models.functional import Functional
    from keraslite.models.model import Model
    from keraslite.models.sequential import Sequential

    if isinstance(model, (Functional, Sequential)):
        return list(model.layers)
    if isinstance(model, Model):
        return assigned_sublayers(model)
    return [model]


def _pair_layers(layers, saved, skip_mismatch):
    """[(model layer or None, saved layer or None)] following the rules in the module doc."""
    model_names = [layer.name for layer in layers]
    saved_names = [s[0] for s in saved]
    if sorted(model_names) == sorted(saved_names) and len(set(model_names)) == len(model_names):
        by_name = {s[0]: s for s in saved}
        return [(layer, by_name[layer.name]) for layer in layers]
    if len(layers) == len(saved):
        return list(zip(layers, saved))
    if skip_mismatch:
        by_name = {s[0]: s for s in saved}
        pairs = [(layer, by_name.get(layer.name)) for layer in layers]
        pairs += [(None, s) for s in saved if s[0] not in set(model_names)]
        return pairs
    # Counts differ: report the first layer only one side has (by name), as a single pair.
    for layer in layers:
        if layer.name not in saved_names:
            return [(layer, None)]
    for s in saved:
        if s[0] not in model_names:
            return [(None, s)]
    return [(None, saved[-1])]


def _order_weights(layer, entries):
    """The layer's weights in the order of the saved entries."""
    named = _weights_by_saved_name(layer, [path for path, _ in entries])
    if named is not None:
        return named
    # Keras 2 saved a layer's trainable weights first, then the non-trainable ones.
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _weights_by_saved_name(layer, paths):
    """Weights matched to saved names ``.../<layer>/<weight>:0``, or None if not one-to-one."""
    keyed = {}
    for sub in _all_layers(layer):
        for variable in sub._own_weights():
            keyed.setdefault(f"{sub.name}/{variable.name}", []).append(variable)
    out, used = [], set()
    for path in paths:
        saved = re.sub(r":\d+$", "", path)
        hits = [vs for key, vs in keyed.items() if saved == key or saved.endswith("/" + key)]
        if len(hits) != 1 or len(hits[0]) != 1 or id(hits[0][0]) in used:
            return None
        used.add(id(hits[0][0]))
        out.append(hits[0][0])
    if len(out) != len(layer.weights):
        return None
    return out


def _all_layers(layer):
    out, stack, seen = [], [layer], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        stack.extend(current._layers)
    return out
