"""Activation functions and ``get``/``serialize`` by name.

Example::

    act = keraslite.activations.get("relu")
    y = act(x)
"""
from __future__ import annotations

from keraslite.activations.activations import (
    celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_tanh, leaky_relu, linear,
    log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu, soft_shrink, softmax,
    softplus, softsign, sparse_plus, sparse_sigmoid, sparsemax, squareplus, swish, tanh,
    tanh_shrink, threshold,
)
from keraslite.activations.hard_swish import hard_silu, hard_swish
from keraslite.utils.registry import ObjectRegistry

ALL_OBJECTS = {
    fn.__name__: fn
    for fn in (relu, relu6, leaky_relu, elu, selu, gelu, silu, softplus, softsign, sigmoid,
               hard_sigmoid, tanh, softmax, log_softmax, exponential, linear, mish)
}
ALL_OBJECTS["swish"] = silu
ALL_OBJECTS.update(hard_swish=hard_swish, hard_silu=hard_silu)
ALL_OBJECTS.update({
    fn.__name__: fn
    for fn in (celu, glu, hard_shrink, hard_tanh, log_sigmoid, soft_shrink, sparse_plus,
               sparse_sigmoid, sparsemax, squareplus, tanh_shrink, threshold)
})


class _ActivationRegistry(ObjectRegistry):
    """Activations are functions: they serialize to their names."""

    def serialize(self, activation) -> str:
        """The registered name of an activation function (``None`` -> "linear")."""
        if activation is None:
            return "linear"
        for name, fn in self.objects.items():
            if fn is activation:
                return name
        if isinstance(activation, str) and activation in self.objects:
            return activation
        if hasattr(activation, "get_config"):
            return {"class_name": type(activation).__name__, "config": activation.get_config()}
        raise ValueError(
            f"Cannot serialize activation {activation!r}: it is not one of the built-in "
            f"activations ({', '.join(sorted(self.objects))})."
        )

    def deserialize(self, config, custom_objects=None):
        if isinstance(config, dict):
            config = (config.get("config") if config.get("class_name") == "function"
                      else config.get("class_name"))
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        return self.get(config)


_REGISTRY = _ActivationRegistry("activation", "keraslite.activations", ALL_OBJECTS,
                                default=linear, interpret_hint=". Pass a name, None or a callable.")
serialize = _REGISTRY.serialize
deserialize = _REGISTRY.deserialize
get = _REGISTRY.get  # a function of a tensor for a name, ``None`` (identity) or a callable


__all__ = ["get", "serialize", "deserialize", *ALL_OBJECTS]
