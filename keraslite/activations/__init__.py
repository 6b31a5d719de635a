"""Activation functions and ``get``/``serialize`` by name.

Example::

    act = keraslite.activations.get("relu")
    y = act(x)
"""
from __future__ import annotations

from keraslite.activations.activations import (
    elu, exponential, gelu, hard_sigmoid, leaky_relu, linear, log_softmax, mish, relu, relu6,
    selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh,
)

ALL_OBJECTS = {
    fn.__name__: fn
    for fn in (relu, relu6, leaky_relu, elu, selu, gelu, silu, softplus, softsign, sigmoid,
               hard_sigmoid, tanh, softmax, log_softmax, exponential, linear, mish)
}
ALL_OBJECTS["swish"] = silu


def serialize(activation) -> str:
    """The registered name of an activation function (``None`` -> "linear")."""
    if activation is None:
        return "linear"
    for name, fn in ALL_OBJECTS.items():
        if fn is activation:
            return name
    if isinstance(activation, str) and activation in ALL_OBJECTS:
        return activation
    if hasattr(activation, "get_config"):
        return {"class_name": type(activation).__name__, "config": activation.get_config()}
    raise ValueError(
        f"Cannot serialize activation {activation!r}: it is not one of the built-in activations "
        f"({', '.join(sorted(ALL_OBJECTS))})."
    )


def deserialize(config, custom_objects=None):
    if isinstance(config, dict):
        name = config.get("config") if config.get("class_name") == "function" else config.get("class_name")
        config = name
    if custom_objects and config in custom_objects:
        return custom_objects[config]
    return get(config)


def get(identifier):
    """A function of a tensor for a name, ``None`` (identity) or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        fn = ALL_OBJECTS.get(identifier)
        if fn is None:
            raise ValueError(
                f"Unknown activation: {identifier!r}. Valid names: {', '.join(sorted(ALL_OBJECTS))}."
            )
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier: {identifier!r}. Pass a name, None or a callable."
    )


__all__ = ["get", "serialize", "deserialize", *ALL_OBJECTS]
