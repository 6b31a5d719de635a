"""keraslite model configs as Keras 3 configs (the inverse of ``keras_config_reading``).

Each keraslite layer entry gains Keras's ``module``/``registered_name`` (``keras.layers`` for
keraslite's own layers, the class's own module and ``package>Name`` for registered user classes),
dtype names become ``DTypePolicy`` dicts, nested objects name ``keras.*`` modules, and functional
graphs refer to layers by name (``keras_history``) instead of by position.
"""
from __future__ import annotations

from typing import Any

_MODEL_ENTRIES = {
    "Functional": ("keras.src.models.functional", "Functional"),
    "Model": ("keras.src.models.functional", "Functional"),
    "Sequential": ("keras", None),
}
# keraslite-only layers that Keras has no class for.
_NO_KERAS_FORM = {"OpLayer": "an operation applied to symbolic tensors (keraslite's OpLayer)"}


class NotExpressibleError(ValueError):
    """The model holds something a Keras 3 archive cannot describe (named in the message)."""


def keras_layer_entry(entry: dict, layer: Any = None, in_model: bool = False) -> dict:
    """A keraslite layer entry (``serialize_layer`` output) as a Keras 3 one.

    ``layer`` is the live layer the entry came from (a model's graph gives Keras the shapes of
    its tensors); ``in_model``: the layer sits in a Sequential or functional model, which Keras
    builds by calling it, so no build config is written (Keras's own build signatures differ,
    e.g. MultiHeadAttention builds from query and value shapes).
    """
    from keraslite.saving.serialization import _builtin_layers, get_registered_object

    class_name = entry["class_name"]
    if class_name in _NO_KERAS_FORM:
        raise NotExpressibleError(
            f"layer '{entry.get('config', {}).get('name')}' is {_NO_KERAS_FORM[class_name]}, "
            "which Keras 3 archives cannot describe. Wrap the operation in a Layer subclass, or "
            "save to a '.keraslite' file.")
    config = entry.get("config", {})
    if class_name in _MODEL_ENTRIES and "layers" in config:
        module, registered = _MODEL_ENTRIES[class_name]
        keras_name = "Functional" if class_name == "Model" else class_name
        inner = (_functional(config, layer) if keras_name == "Functional"
                 else _sequential(config, layer, entry.get("build_config")))
        out = {"module": module, "class_name": keras_name, "config": inner,
               "registered_name": registered}
    elif ">" in class_name or class_name not in _builtin_layers():
        cls = type(layer) if layer is not None else get_registered_object(class_name)
        out = {"module": getattr(cls, "__module__", "__main__"),
               "class_name": getattr(cls, "__name__", class_name.split(">")[-1]),
               "config": _values(config), "registered_name": class_name}
    else:
        out = {"module": "keras.layers", "class_name": class_name, "config": _values(config),
               "registered_name": None}
    build_config = entry.get("build_config")
    if build_config and not in_model:
        out["build_config"] = build_config
    return out


def _values(config: Any) -> Any:
    """Config values with keraslite modules renamed and dtype names as DTypePolicy dicts."""
    if isinstance(config, list):
        return [_values(v) for v in config]
    if not isinstance(config, dict):
        return config
    out = {}
    for key, value in config.items():
        if key == "dtype" and isinstance(value, str):
            value = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": value},
                     "registered_name": None}
        elif isinstance(value, dict) and "class_name" in value and "config" in value and (
                "module" not in value or _is_layer_config(value)):
            value = keras_layer_entry(value)
        else:
            value = _values(value)
        out[key] = value
    module = out.get("module")
    if isinstance(module, str) and (module == "keraslite" or module.startswith("keraslite.")):
        out["module"] = "keras" + module[len("keraslite"):]
    return out


def _is_layer_config(value: dict) -> bool:
    return str(value.get("module", "")).startswith(("keras.layers", "keraslite.layers"))


def _live_layers(model: Any, count: int) -> list:
    layers = list(getattr(model, "_layers", None) or [])
    return layers if len(layers) == count else [None] * count


def _sequential(config: dict, model: Any, build_config: dict | None) -> dict:
    live = _live_layers(model, len(config["layers"]))
    out = {"name": config.get("name"), "trainable": config.get("trainable", True),
           "layers": [keras_layer_entry(e, layer, in_model=True)
                      for e, layer in zip(config["layers"], live)]}
    if build_config and build_config.get("input_shape") is not None:
        out["build_input_shape"] = build_config["input_shape"]
    return out


def _tensor_specs(model: Any) -> dict:
    """(layer index, call index within the model, output index) -> (shape, dtype) of a live
    functional model's tensors, numbered as ``functional_config`` numbers them."""
    if model is None or not hasattr(model, "_nodes"):
        return {}
    index = {id(layer): i for i, layer in enumerate(model._layers)}
    own = {id(node) for node in model._nodes}
    specs = {}
    for layer in model._layers:
        calls = [node for node in layer._inbound_nodes if id(node) in own]
        for node_index, node in enumerate(calls):
            for tensor_index, tensor in enumerate(node.output_tensors):
                shape = [d if isinstance(d, int) else None for d in tensor.shape]
                specs[(index[id(layer)], node_index, tensor_index)] = (shape, str(tensor.dtype))
    return specs


def _functional(config: dict, model: Any) -> dict:
    layers = config["layers"]
    names = [e.get("config", {}).get("name") for e in layers]
    specs = _tensor_specs(model)
    live = _live_layers(model, len(layers))
    out_layers = []
    for entry, layer in zip(layers, live):
        translated = keras_layer_entry(entry, layer, in_model=True)
        translated["name"] = entry.get("config", {}).get("name")
        translated["inbound_nodes"] = [
            {"args": [_argument(a, names, specs) for a in node.get("args", [])],
             "kwargs": {k: _argument(v, names, specs)
                        for k, v in node.get("kwargs", {}).get("__dict__", {}).items()}}
            for node in entry.get("inbound_nodes", [])]
        out_layers.append(translated)
    return {"name": config.get("name"), "trainable": config.get("trainable", True),
            "layers": out_layers,
            "input_layers": _endpoints(config.get("inputs"), names),
            "output_layers": _endpoints(config.get("outputs"), names)}


def _argument(value: Any, names: list, specs: dict) -> Any:
    if isinstance(value, list):
        return [_argument(v, names, specs) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tensor__" in value:
        layer, node, tensor = value["__tensor__"]
        shape, dtype = specs.get((layer, node, tensor), (None, "float32"))
        return {"class_name": "__keras_tensor__",
                "config": {"shape": shape, "dtype": dtype,
                           "keras_history": [names[layer], node, tensor]}}
    if "__tuple__" in value:
        return {"class_name": "__tuple__",
                "config": {"value": [_argument(v, names, specs) for v in value["__tuple__"]]}}
    if "__dict__" in value:
        return {k: _argument(v, names, specs) for k, v in value["__dict__"].items()}
    if "__ndarray__" in value:
        return {"class_name": "__numpy__",
                "config": {"value": value["__ndarray__"], "dtype": value["dtype"]}}
    if "__slice__" in value:
        start, stop, step = (_argument(v, names, specs) for v in value["__slice__"])
        return {"class_name": "__slice__",
                "config": {"start": start, "stop": stop, "step": step}}
    if "__ellipsis__" in value:
        return {"class_name": "__ellipsis__", "config": {}}
    raise NotExpressibleError(f"a call argument {value!r} has no Keras 3 form.")


def _endpoints(value: Any, names: list) -> Any:
    if isinstance(value, dict) and "__tensor__" in value:
        layer, node, tensor = value["__tensor__"]
        return [names[layer], node, tensor]
    if isinstance(value, dict) and "__dict__" in value:
        return {k: _endpoints(v, names) for k, v in value["__dict__"].items()}
    if isinstance(value, dict) and "__tuple__" in value:
        return [_endpoints(v, names) for v in value["__tuple__"]]
    if isinstance(value, list):
        return [_endpoints(v, names) for v in value]
    raise NotExpressibleError(f"model inputs/outputs {value!r} have no Keras 3 form.")


def keras_compile_config(config: dict | None) -> dict:
    """keraslite's compile config in Keras 3's spelling ({} for an uncompiled model)."""
    if not config:
        return {}
    out = {key: _untag(_values_only_modules(value)) for key, value in config.items()}
    if out.get("steps_per_execution") in (None, "auto"):
        out["steps_per_execution"] = 1
    if out.get("jit_compile") == "auto":
        out["jit_compile"] = True
    return out


def _values_only_modules(value: Any) -> Any:
    if isinstance(value, list):
        return [_values_only_modules(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _values_only_modules(v) for k, v in value.items()}
    module = out.get("module")
    if isinstance(module, str) and (module == "keraslite" or module.startswith("keraslite.")):
        out["module"] = "keras" + module[len("keraslite"):]
    return out


def _untag(value: Any) -> Any:
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if isinstance(value, dict) and set(value) == {"__dict__"}:
        return {k: _untag(v) for k, v in value["__dict__"].items()}
    return value
