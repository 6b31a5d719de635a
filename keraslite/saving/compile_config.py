"""``compile()`` arguments as JSON data, and back.

Losses and metrics are written as names (built-in functions and strings such as "accuracy") or as
``{"class_name", "config"}`` dicts; loading resolves them through the same closed registries as
layers (keraslite's own classes, ``register_serializable`` classes, ``custom_objects``). A plain
Python function that is not a keraslite built-in cannot be written, so the model is saved without
a compile config and a warning says so; ``load_model`` then returns it uncompiled.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslite.saving.serialization import get_registered_object, unknown_class_error

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import Config

# Losses or metrics one compile config may list (over all outputs).
MAX_METRICS = 256


def get_compile_config(model: Model) -> Config | None:
    """The model's compile arguments as JSON data; None if it was not compiled."""
    arguments = getattr(model, "_compile_arguments", None)
    if not getattr(model, "compiled", False) or arguments is None:
        return None
    from keraslite import optimizers

    return {
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": _serialize_tree(arguments["loss"], "loss"),
        "loss_weights": arguments["loss_weights"],
        "metrics": _serialize_tree(arguments["metrics"], "metric"),
        "weighted_metrics": _serialize_tree(arguments["weighted_metrics"], "metric"),
        "run_eagerly": arguments["run_eagerly"],
        "steps_per_execution": arguments["steps_per_execution"],
        "jit_compile": arguments["jit_compile"],
        "auto_scale_loss": arguments["auto_scale_loss"],
    }


def compile_from_config(model: Model, config: Config,
                        custom_objects: dict[str, Any] | None = None) -> None:
    """Calls ``model.compile`` with the arguments a compile config describes."""
    from keraslite import optimizers

    if not isinstance(config, dict):
        raise ValueError("Invalid compile config: expected a dict. "
                         f"Received: {type(config).__name__}")
    for key in ("metrics", "weighted_metrics", "loss"):
        _check_count(config.get(key), key)
    optimizer_config = config.get("optimizer")
    optimizer = optimizers.deserialize(optimizer_config,
                                       _with_registered(optimizer_config, custom_objects))
    model.compile(
        optimizer=optimizer,
        loss=_deserialize_tree(config.get("loss"), "loss", custom_objects),
        loss_weights=config.get("loss_weights"),
        metrics=_deserialize_tree(config.get("metrics"), "metric", custom_objects),
        weighted_metrics=_deserialize_tree(config.get("weighted_metrics"), "metric",
                                           custom_objects),
        run_eagerly=bool(config.get("run_eagerly", False)),
        steps_per_execution=config.get("steps_per_execution", "auto"),
        jit_compile=config.get("jit_compile", "auto"),
        auto_scale_loss=bool(config.get("auto_scale_loss", True)),
    )


def _check_count(value, key):
    """Refuses a compile config listing more losses or metrics than any model uses: each one is
    compiled into the training step, so 10,000 copies of "mae" would make fit() take minutes."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and set(item) == {"__dict__"} and isinstance(
                item["__dict__"], dict):
            stack.extend(item["__dict__"].values())
        elif item is not None:
            count += 1
    if count > MAX_METRICS:
        raise ValueError(f"Invalid compile config: '{key}' lists {count:,} entries; at most "
                         f"{MAX_METRICS} are allowed (keraslite.saving.compile_config."
                         "MAX_METRICS). Raise the limit only for a file you trust.")


def _module(kind):
    from keraslite import losses, metrics

    return losses if kind == "loss" else metrics


def _serialize_tree(value, kind):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_serialize_tree(v, kind) for v in value]
    if isinstance(value, dict):
        return {"__dict__": {str(k): _serialize_tree(v, kind) for k, v in value.items()}}
    config = _module(kind).serialize(value)  # raises ValueError for arbitrary functions
    registered = getattr(type(value), "_registered_name", None)
    if isinstance(config, dict) and registered:
        config["class_name"] = registered
    return config


def _deserialize_tree(value, kind, custom_objects):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_deserialize_tree(v, kind, custom_objects) for v in value]
    if isinstance(value, dict) and set(value) == {"__dict__"}:
        return {k: _deserialize_tree(v, kind, custom_objects) for k, v in value["__dict__"].items()}
    if isinstance(value, dict):
        return _module(kind).deserialize(value, _with_registered(value, custom_objects))
    raise ValueError(f"Invalid compile config: a {kind} must be a name or a config dict. "
                     f"Received: {type(value).__name__}")


def _with_registered(config, custom_objects):
    """``custom_objects`` plus the user-registered class a ``package>Name`` config names."""
    if not isinstance(config, dict):
        raise ValueError(f"Invalid compile config entry: {config!r}")
    name = config.get("class_name")
    if isinstance(name, str) and ">" in name:
        cls = get_registered_object(name, custom_objects)
        if cls is None:
            raise unknown_class_error(f"Unknown class '{name}' in the compile config.", name)
        custom_objects = dict(custom_objects or {}, **{name: cls})
    return custom_objects
