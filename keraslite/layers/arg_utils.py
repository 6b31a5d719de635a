"""Argument checking and normalization shared by the built-in layers.

Every check raises a ``ValueError`` that names the layer class, the argument and the value
received, so a wrong constructor call is fixed from the message alone.
"""
from __future__ import annotations

from keraslite import config
from keraslite.utils.allocation_budget import check_dimension
from keraslite.utils.text import short_repr


def invalid(layer_cls: str, arg: str, expected: str, value) -> ValueError:
    return ValueError(
        f"{layer_cls}: argument `{arg}` must be {expected}. Received: {arg}={short_repr(value)}"
    )


def standardize_data_format(layer_cls: str, data_format):
    """``None`` means the global ``image_data_format``; anything else must be a known name."""
    if data_format is None:
        return config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise invalid(layer_cls, "data_format", "'channels_last' or 'channels_first'", data_format)
    return value


def standardize_padding(layer_cls: str, padding, allowed=("valid", "same")):
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        raise invalid(layer_cls, "padding", " or ".join(repr(a) for a in allowed), padding)
    return value


def normalize_tuple(layer_cls: str, arg: str, value, n: int, allow_zero: bool = False):
    """An int or a length-``n`` sequence of ints -> a tuple of ``n`` positive ints."""
    what = f"an int or a tuple of {n} {'non-negative' if allow_zero else 'positive'} ints"
    if isinstance(value, bool):
        raise invalid(layer_cls, arg, what, value)
    if isinstance(value, int):
        out = (value,) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise invalid(layer_cls, arg, what, value) from None
        if len(out) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in out):
            raise invalid(layer_cls, arg, what, value)
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in out):
        raise invalid(layer_cls, arg, what, value)
    for v in out:
        check_dimension(layer_cls, arg, v)
    return tuple(int(v) for v in out)


def positive_int(layer_cls: str, arg: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        # Accept integral floats such as 32.0 from hyperparameter searches.
        if isinstance(value, float) and value.is_integer() and value > 0:
            return check_dimension(layer_cls, arg, int(value))
        raise invalid(layer_cls, arg, "a positive integer", value)
    # Every caller sizes an axis with it (units, filters, num_tokens, n...).
    return check_dimension(layer_cls, arg, int(value))


def conv_output_length(length, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Length of one spatial axis after a convolution or pooling window."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    return max(0, (length - span) // stride + 1)


def serialize(module_name: str, obj):
    """Config form of an initializer/regularizer/constraint/activation (None stays None)."""
    if obj is None:
        return None
    import importlib

    module = importlib.import_module(f"keraslite.{module_name}")
    fn = getattr(module, "serialize", None)
    if fn is not None:
        return fn(obj)
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", obj)


def get(module_name: str, identifier):
    """Resolves an identifier through ``keraslite.<module>.get`` (None stays None)."""
    if identifier is None:
        return None
    import importlib

    return importlib.import_module(f"keraslite.{module_name}").get(identifier)


def autocast(variable, compute_dtype):
    """A float variable's value cast to ``compute_dtype`` (unchanged when they already match)."""
    from keraslite import backend, ops

    dtype = backend.standardize_dtype(variable.dtype)
    if "float" in dtype and dtype != compute_dtype:
        return ops.cast(variable.value, compute_dtype)
    return variable
