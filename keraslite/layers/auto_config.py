"""Configs for user subclasses that do not write ``get_config``, from their constructor arguments.

Keras users often subclass Layer or Model with simple constructor arguments (``units=32``) and
never write ``get_config``. As in Keras 3, such a class is saved with the arguments it was
constructed with, provided they are plain data (numbers, strings, lists, dicts of them).
"""
from __future__ import annotations

import inspect

_PLAIN = (type(None), bool, int, float, str)


def capture(instance, args, kwargs):
    """Remembers the arguments ``instance`` was constructed with (called from ``__new__``)."""
    object.__setattr__(instance, "_constructor_arguments", (args, kwargs))


def constructor_config(instance) -> dict | None:
    """The constructor arguments by name, or None when they are not all plain data."""
    captured = getattr(instance, "_constructor_arguments", None)
    if captured is None:
        return None
    args, kwargs = captured
    try:
        bound = inspect.signature(type(instance).__init__).bind(instance, *args, **kwargs)
    except TypeError:
        return None
    out = {}
    for name, value in list(bound.arguments.items())[1:]:
        parameter = bound.signature.parameters[name]
        if parameter.kind is parameter.VAR_KEYWORD:
            out.update(value)
        elif parameter.kind is parameter.VAR_POSITIONAL:
            if value:
                return None
        else:
            out[name] = value
    return out if _is_plain(out) else None


def _is_plain(value) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def is_user_class(cls) -> bool:
    return not cls.__module__.startswith("keraslite.")


def construct(cls, config: dict):
    """``cls(**config)``; when ``__init__`` does not take the base arguments (name, trainable,
    dtype) retry with the ones it does take and set the name afterwards."""
    try:
        return cls(**config)
    except TypeError as first_error:
        parameters = inspect.signature(cls.__init__).parameters
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            raise
        accepted = {k: v for k, v in config.items() if k in parameters}
        if accepted == config:
            raise
        try:
            instance = cls(**accepted)
        except TypeError:
            raise first_error from None
        if "name" in config and "name" not in accepted:
            instance.name = config["name"]
        return instance
