"""Keras 3 model configs (the ``config.json`` of a ``.keras`` archive) as keraslite configs.

This is a data-to-data translation: it never imports a module, unpickles or evaluates anything
a file names. Keras names every object by ``module`` + ``class_name`` (+ ``registered_name`` for
user classes); here a class is only ever looked up in keraslite's closed registry (its own layers
and models), in classes registered with ``keraslite.saving.register_serializable`` or in the
caller's ``custom_objects``. Everything else is refused with an error naming it.

What changes between the two formats:

* layer entries lose ``module``/``registered_name`` (user classes are looked up by their
  registered ``package>Name``);
* ``DTypePolicy`` dicts become the policy's name (``"float32"``, ``"mixed_float16"``);
* functional graphs: ``__keras_tensor__`` dicts whose ``keras_history`` names a layer become
  ``{"__tensor__": [layer index, node, tensor]}``; Keras's tagged values (``__tuple__``,
  ``__numpy__``, ``__slice__``) become keraslite's; ``input_layers``/``output_layers`` become
  ``inputs``/``outputs``;
* arguments Keras has and keraslite lacks (``quantization_config``, ``lora_rank``, ``renorm``,
  ``optional``, ``ragged``, ...) are dropped when they hold Keras's default, else refused.
"""
from __future__ import annotations

import inspect
import re
from typing import Any

from keraslite.saving.serialization import _REGISTRY, _builtin_layers

# "keras", "keras.layers", "keras.src.models.functional", ...: Keras's own namespace.
# keraslite's own module names are read as Keras's (a hint for the closed registry; nothing is
# imported by name).
_KERAS_MODULE = re.compile(r"keras(?:lite)?(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_DTYPE_POLICIES = {"DTypePolicy", "FloatDTypePolicy", "Policy"}
# Keras arguments with no keraslite counterpart, and the value that means "not used".
KERAS_ONLY_DEFAULTS: dict[str, Any] = {
    "quantization_config": None,
    "lora_rank": None,
    "lora_alpha": None,
    "lora_enabled": False,
    "renorm": False,
    "renorm_clipping": None,
    "renorm_momentum": 0.99,
    "optional": False,
    "ragged": False,
    "sparse": False,
    "synchronized": False,
    "gamma_quantization": None,
    "use_gate": False,
}
# Modules whose functions a config may name (activations, losses, metrics), by name only:
# ``keras.utils.get_file`` and the like are refused.
_FUNCTION_MODULES = ("keras.activations", "keras.losses", "keras.metrics",
                     "keras.src.activations", "keras.src.losses", "keras.src.metrics")
# A JSON structure nested deeper than this is no model config (and would exhaust the stack).
_MAX_DEPTH = 96

_LAMBDA_HELP = (
    "Lambda layers hold Python bytecode (marshal) that keraslite never runs. Rebuild the model "
    "in code with the same function, e.g. keraslite.layers.Lambda(lambda x: ...), or replace "
    "the Lambda with a layer class registered with keraslite.saving.register_serializable, then "
    "load the weights with model.load_weights(path)."
)


class KerasConfigReader:
    """Translates one archive's config; ``where`` (the file) prefixes every error."""

    def __init__(self, where: str, custom_objects: dict[str, Any] | None = None) -> None:
        self.where = where
        self.custom_objects = dict(custom_objects or {})

    # -- errors -------------------------------------------------------------------------------
    def error(self, message: str) -> ValueError:
        return ValueError(f"{self.where}: {message}")

    # -- layers -------------------------------------------------------------------------------
    def layer(self, entry: Any, depth: int = 0) -> dict:
        """A Keras layer (or model) entry as a keraslite one."""
        self._check_depth(depth)
        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            raise self.error(f"a layer entry must be a dict with a string 'class_name'. "
                             f"Received: {_short(entry)}")
        class_name = entry["class_name"]
        cls, name = self.resolve_layer_class(entry)
        config = entry.get("config", {})
        if not isinstance(config, dict):
            raise self.error(f"the config of layer class '{class_name}' must be a dict. "
                             f"Received: {type(config).__name__}")
        label = config.get("name") if isinstance(config.get("name"), str) else class_name
        if name in ("Functional", "Model") and "layers" in config:
            inner = self.functional(config, depth + 1)
        elif name == "Sequential":
            inner = self.sequential(config, depth + 1)
        else:
            inner = {k: self.value(v, depth + 1, f"'{label}'.{k}") for k, v in config.items()}
            if not _is_user_class(cls):
                inner = self._drop_keras_only(inner, cls, label, class_name)
        out: dict = {"class_name": name, "config": inner}
        build_config = entry.get("build_config")
        if isinstance(build_config, dict) and build_config.get("input_shape") is not None:
            out["build_config"] = {"input_shape": build_config["input_shape"]}
        return out

    def resolve_layer_class(self, entry: dict) -> tuple[type, str]:
        """(keraslite class, the name keraslite's registry knows it by) for a layer entry."""
        class_name = entry["class_name"]
        module = entry.get("module")
        registered = entry.get("registered_name")
        if class_name == "Lambda":
            raise self.error(f"refusing a Lambda layer. {_LAMBDA_HELP}")
        if module is not None and not isinstance(module, str):
            raise self.error(f"layer class '{class_name}' has a 'module' that is not a string.")
        if registered is not None and not isinstance(registered, str):
            raise self.error(f"layer class '{class_name}' has a 'registered_name' that is not a "
                             "string.")
        builtins = _builtin_layers()
        keras_own = module is None or bool(_KERAS_MODULE.fullmatch(module))
        if keras_own and registered in (None, class_name) and class_name in builtins:
            cls = self.custom_objects.get(class_name) or builtins[class_name]
            return cls, class_name
        # A user class: only its registered name (or custom_objects) can resolve it; never a
        # keraslite built-in reached through a foreign module path.
        for key in (registered, class_name):
            found = self.user_class(key)
            if found is not None:
                return found, key
        raise self.unknown_class(class_name, module, registered, "layer")

    def user_class(self, key: Any) -> Any:
        """A class the user registered (register_serializable, custom_object_scope) or passed
        in custom_objects under ``key``; None otherwise (keraslite's built-ins never match)."""
        if not isinstance(key, str):
            return None
        if key in self.custom_objects:
            return self.custom_objects[key]
        return _REGISTRY.get(key)

    def unknown_class(self, class_name, module, registered, kind: str) -> ValueError:
        origin = f" from module '{module}'" if module else ""
        alias = (f" (registered as '{registered}')"
                 if isinstance(registered, str) and registered != class_name else "")
        key = registered if isinstance(registered, str) and ">" in registered else class_name
        return self.error(
            f"refusing {kind} class '{class_name}'{origin}{alias}: it is not in keraslite's "
            "registry. keraslite never imports modules named in a file; it only creates its "
            "own classes and classes registered with keraslite.saving.register_serializable"
            f"(...) or passed in custom_objects={{'{key}': TheClass}}.")

    def _drop_keras_only(self, config: dict, cls: type, label: str, class_name: str) -> dict:
        accepted = accepted_arguments(cls)
        if accepted is None:
            return config
        out = {}
        for key, value in config.items():
            if key in accepted:
                out[key] = value
            elif key in KERAS_ONLY_DEFAULTS and value == KERAS_ONLY_DEFAULTS[key]:
                continue  # Keras's default: keraslite behaves the same without it
            elif key in KERAS_ONLY_DEFAULTS:
                raise self.error(
                    f"layer '{label}' ({class_name}) sets '{key}' to {_short(value)}; keraslite "
                    f"does not support '{key}' (only its default {KERAS_ONLY_DEFAULTS[key]!r} "
                    "loads). Rebuild the layer without it.")
            else:
                # Possibly taken through **kwargs further down; if not, the constructor's
                # TypeError names it (with the layer, see serialization._in_layer).
                out[key] = value
        return out

    # -- models -------------------------------------------------------------------------------
    def sequential(self, config: dict, depth: int) -> dict:
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise self.error("a Sequential config needs a 'layers' list.")
        out = {"name": config.get("name"), "trainable": config.get("trainable", True),
               "layers": [self.layer(entry, depth + 1) for entry in layers]}
        shape = config.get("build_input_shape")
        has_input = layers and isinstance(layers[0], dict) and layers[0].get(
            "class_name") == "InputLayer"
        if shape is not None and not has_input:
            # Keras records the input shape here when the model had no Input; keraslite's
            # Sequential learns it from an InputLayer.
            out["layers"].insert(0, {"class_name": "InputLayer",
                                     "config": {"batch_shape": shape}})
        return out

    def functional(self, config: dict, depth: int) -> dict:
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise self.error("a functional model config needs a 'layers' list.")
        index: dict[str, int] = {}
        for i, entry in enumerate(layers):
            name = _entry_name(entry)
            if name is None:
                raise self.error(f"layers[{i}] of model '{config.get('name')}' has no name.")
            if name in index:
                raise self.error(f"two layers of model '{config.get('name')}' are named "
                                 f"'{name}'.")
            index[name] = i
        graph = _Graph(self, index, str(config.get("name")))
        out_layers = []
        for entry in layers:
            translated = self.layer(entry, depth + 1)
            nodes = entry.get("inbound_nodes", [])
            if not isinstance(nodes, list):
                raise self.error(f"'inbound_nodes' of layer '{_entry_name(entry)}' must be a "
                                 "list.")
            translated["inbound_nodes"] = [graph.node(node, _entry_name(entry), depth)
                                           for node in nodes]
            out_layers.append(translated)
        return {"name": config.get("name"), "trainable": config.get("trainable", True),
                "layers": out_layers,
                "inputs": graph.endpoints(config.get("input_layers"), "input_layers"),
                "outputs": graph.endpoints(config.get("output_layers"), "output_layers")}

    # -- values inside a layer config ---------------------------------------------------------
    def value(self, value: Any, depth: int, where: str) -> Any:
        """A config value: nested layers translated, dtype policies named, objects checked."""
        self._check_depth(depth)
        if isinstance(value, list):
            return [self.value(v, depth + 1, where) for v in value]
        if not isinstance(value, dict):
            return value
        class_name = value.get("class_name")
        if not isinstance(class_name, str) or "config" not in value:
            return {k: self.value(v, depth + 1, where) for k, v in value.items()}
        module = value.get("module")
        if class_name in _DTYPE_POLICIES and _is_keras_module(module):
            name = value["config"].get("name") if isinstance(value["config"], dict) else None
            if not isinstance(name, str):
                raise self.error(f"{where}: a DTypePolicy without a name.")
            return name
        if "Quantized" in class_name and _is_keras_module(module):
            raise self.error(f"{where}: quantized dtype policy '{class_name}' is not supported "
                             "by keraslite; save the model before quantizing it.")
        if class_name == "function":
            return self.function(value, where)
        if self._is_layer_entry(value):
            return self.layer(value, depth + 1)
        registered = value.get("registered_name")
        if not _is_keras_module(module):
            if self.user_class(registered) is None and self.user_class(class_name) is None:
                raise self.unknown_class(class_name, module, registered, "object")
        inner = self.value(value["config"], depth + 1, where)
        return {"module": module, "class_name": class_name, "config": inner,
                "registered_name": registered}

    def function(self, value: dict, where: str) -> str:
        """A Keras-serialized function: only Keras's own, by name (never a module path)."""
        module, name = value.get("module"), value.get("config")
        if (isinstance(module, str) and module.startswith(_FUNCTION_MODULES)
                and _is_keras_module(module) and isinstance(name, str) and name.isidentifier()):
            return name
        if isinstance(name, str) and name in self.custom_objects:
            return name
        raise self.error(f"{where}: refusing function {_short(name)} from module "
                         f"{_short(module)}: keraslite never imports a function named in a "
                         "file. Pass it in custom_objects if you trust it.")

    def _is_layer_entry(self, value: dict) -> bool:
        module = value.get("module")
        if isinstance(module, str) and module.startswith(("keras.layers", "keras.src.layers",
                                                         "keras.src.models", "keras.models")):
            return True
        if value["class_name"] in ("Lambda", "Sequential", "Functional"):
            return True
        registered = value.get("registered_name")
        if not _is_keras_module(module):
            from keraslite.layers.layer import Layer

            for key in (registered, value["class_name"]):
                found = self.user_class(key)
                if isinstance(found, type) and issubclass(found, Layer):
                    return True
        return False

    def _check_depth(self, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise self.error(f"the config nests more than {_MAX_DEPTH} levels deep; no model "
                             "config does (the file is damaged or crafted).")


class _Graph:
    """Keras's functional-graph values (tensor histories by layer name) as keraslite's."""

    def __init__(self, reader: KerasConfigReader, index: dict[str, int], model: str) -> None:
        self.reader = reader
        self.index = index
        self.model = model

    def ref(self, history: Any, where: str) -> list[int]:
        if (not isinstance(history, (list, tuple)) or len(history) != 3
                or not isinstance(history[0], str)
                or not all(isinstance(i, int) and not isinstance(i, bool) for i in history[1:])):
            raise self.reader.error(f"{where}: a tensor reference must be [layer name, node "
                                    f"index, tensor index]. Received: {_short(history)}")
        if history[0] not in self.index:
            raise self.reader.error(f"{where}: a tensor reference names layer '{history[0]}', "
                                    f"which model '{self.model}' does not have.")
        return [self.index[history[0]], history[1], history[2]]

    def node(self, node: Any, layer: str | None, depth: int) -> dict:
        where = f"layer '{layer}' of model '{self.model}'"
        if not isinstance(node, dict):
            raise self.reader.error(f"{where}: a node must be a dict with 'args' and 'kwargs' "
                                    "(a Keras 3 file). Received: " + _short(node))
        args = node.get("args", [])
        kwargs = node.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise self.reader.error(f"{where}: node 'args' must be a list and 'kwargs' a dict.")
        return {"args": [self.argument(a, where, depth) for a in args],
                "kwargs": {"__dict__": {k: self.argument(v, where, depth)
                                        for k, v in kwargs.items()}}}

    def argument(self, value: Any, where: str, depth: int) -> Any:
        self.reader._check_depth(depth)
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.argument(v, where, depth + 1) for v in value]
        if not isinstance(value, dict):
            raise self.reader.error(f"{where}: unsupported call argument {_short(value)}")
        tag = value.get("class_name")
        inner = value.get("config")
        if tag == "__keras_tensor__" and isinstance(inner, dict):
            return {"__tensor__": self.ref(inner.get("keras_history"), where)}
        if tag == "__tuple__" and isinstance(inner, dict) and isinstance(inner.get("value"),
                                                                        list):
            return {"__tuple__": [self.argument(v, where, depth + 1) for v in inner["value"]]}
        if tag == "__numpy__" and isinstance(inner, dict):
            return {"__ndarray__": inner.get("value"), "dtype": inner.get("dtype")}
        if tag == "__slice__" and isinstance(inner, dict):
            return {"__slice__": [self.argument(inner.get(k), where, depth + 1)
                                  for k in ("start", "stop", "step")]}
        if tag == "__ellipsis__":
            return {"__ellipsis__": True}
        if isinstance(tag, str):
            raise self.reader.error(f"{where}: refusing call argument of class '{tag}'; only "
                                    "tensors, numbers, strings, tuples, lists, dicts, slices and "
                                    "NumPy arrays are read.")
        return {"__dict__": {str(k): self.argument(v, where, depth + 1)
                             for k, v in value.items()}}

    def endpoints(self, value: Any, key: str) -> Any:
        where = f"'{key}' of model '{self.model}'"
        if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
            return {"__tensor__": self.ref(value, where)}
        if isinstance(value, list):
            return [self.endpoints(v, key) for v in value]
        if isinstance(value, dict):
            return {"__dict__": {str(k): self.endpoints(v, key) for k, v in value.items()}}
        raise self.reader.error(f"{where} must list tensor references. Received: "
                                f"{_short(value)}")


def accepted_arguments(cls: type) -> set[str] | None:
    """The keyword arguments ``cls(...)`` takes, following ``**kwargs`` up the class chain;
    None when that cannot be told (a class takes ``**kwargs`` and has no parent to pass to)."""
    accepted: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            parameters = inspect.signature(init).parameters
        except (TypeError, ValueError):
            return None
        accepted.update(name for name, p in parameters.items()
                        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            return accepted
        if klass.__name__ == "Layer" and klass.__module__.startswith("keraslite."):
            return accepted | {"batch_input_shape", "input_length"}
    return None


def _entry_name(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    name = entry.get("name")
    if isinstance(name, str):
        return name
    config = entry.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    return name if isinstance(name, str) else None


def _is_keras_module(module: Any) -> bool:
    return isinstance(module, str) and bool(_KERAS_MODULE.fullmatch(module))


def _is_user_class(cls: type) -> bool:
    return not getattr(cls, "__module__", "").startswith("keraslite.")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."
