"""Shape arithmetic for convolutions and pooling, shared by the backends (no backend imports)."""
from __future__ import annotations

import math

from keraslite import config


def standardize_data_format(data_format) -> str:
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "data_format must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def standardize_padding(padding) -> str:
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'. Received: padding={padding!r}")
    return p


def tuplify(value, n: int, name: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1 and n > 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints. Received: {name}={value}")
    return value


def spatial_shape(shape, data_format) -> tuple:
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def groups_of(in_channels, kernel_in_channels) -> int:
    if in_channels is None:
        return 1
    if in_channels % kernel_in_channels:
        raise ValueError(
            "conv: the input channels must be a multiple of the kernel's input channels "
            f"(groups = input channels / kernel in-channels). Received: input channels={in_channels}, "
            f"kernel in-channels={kernel_in_channels}"
        )
    return in_channels // kernel_in_channels


def effective_kernel(k: int, d: int) -> int:
    return (k - 1) * d + 1


def padding_amounts(spatial, kernel, strides, dilation, padding) -> list:
    """(before, after) padding per spatial dim; "same" puts the odd extra element after."""
    padding = standardize_padding(padding)
    out = []
    for size, k, s, d in zip(spatial, kernel, strides, dilation):
        if padding == "valid":
            out.append((0, 0))
            continue
        ke = effective_kernel(k, d)
        total = max((math.ceil(size / s) - 1) * s + ke - size, 0)
        out.append((total // 2, total - total // 2))
    return out


def conv_output_length(size, k, s, d, padding):
    if size is None:
        return None
    if standardize_padding(padding) == "same":
        return math.ceil(size / s)
    return (size - effective_kernel(k, d)) // s + 1


def transpose_output_length(size, k, s, d, padding, output_padding=None):
    """Length of a transposed convolution's output along one dim (the Keras convention)."""
    if size is None:
        return None
    padding = standardize_padding(padding)
    ke = effective_kernel(k, d)
    if output_padding is None:
        return size * s if padding == "same" else size * s + max(ke - s, 0)
    pad = ke // 2 if padding == "same" else 0
    return (size - 1) * s + ke - 2 * pad + output_padding


def transpose_padding(spatial, kernel, strides, dilation, padding, output_padding) -> list:
    """Padding of the stride-dilated input that makes a plain convolution with the flipped kernel
    compute the transposed convolution."""
    n = len(spatial)
    ops = (None,) * n if output_padding is None else tuplify(output_padding, n, "output_padding")
    padding = standardize_padding(padding)
    out = []
    for size, k, s, d, op in zip(spatial, kernel, strides, dilation, ops):
        ke = effective_kernel(k, d)
        length = transpose_output_length(size, k, s, d, padding, op)
        # "same": the full transposed output is cropped symmetrically down to ``length``
        # (with output_padding None, length = size*s and this is max(ke - s, 0) // 2).
        before = max((size - 1) * s + ke - length, 0) // 2 if padding == "same" else 0
        lo = ke - 1 - before
        hi = length - ((size - 1) * s + 1) - lo + ke - 1
        out.append((lo, hi))
    return out
