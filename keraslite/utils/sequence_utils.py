"""pad_sequences: a list of variable-length sequences as one padded NumPy array."""
from __future__ import annotations

import numpy as np


def _length(seq, index: int) -> int:
    try:
        return len(seq)
    except TypeError:
        raise ValueError(
            "pad_sequences expects a list of sequences (lists or arrays). Received at index "
            f"{index}: {type(seq).__name__} {seq!r}") from None


def _as_array(seq, index: int, dtype) -> np.ndarray:
    try:
        return np.asarray(seq, dtype=dtype)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"pad_sequences: the sequence at index {index} is ragged inside (its items nest to "
            f"different depths or lengths): {error}") from None


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pads (or truncates) every sequence to ``maxlen`` and stacks them, like Keras.

    Args:
        sequences: List of sequences; each a list/array of scalars or of equal-shaped items.
        maxlen: Length of the output; default the longest sequence.
        dtype: Output dtype (``"object"`` or a string dtype keeps strings).
        padding / truncating: ``"pre"`` or ``"post"``: at which end to pad or cut.
        value: The padding value.

    Returns:
        Array of shape ``(len(sequences), maxlen) + item_shape``.

    Raises:
        ValueError: a sequence is not a sequence, or its items' shape differs from the first
            non-empty sequence's (named by index).
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences expects a list of sequences. Received: {sequences!r}")
    for name, arg in (("padding", padding), ("truncating", truncating)):
        if arg not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post'. Received: {name}={arg!r}")
    if maxlen is not None and (int(maxlen) != maxlen or maxlen < 0):
        raise ValueError(f"maxlen must be a non-negative int or None. Received: maxlen={maxlen!r}")
    lengths = [_length(seq, i) for i, seq in enumerate(sequences)]
    item_shape, first = (), None
    for i, seq in enumerate(sequences):
        if lengths[i]:
            item_shape, first = _as_array(seq, i, None).shape[1:], i
            break
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(f"value={value!r} is a string but dtype={dtype!r} is not; pass "
                         "dtype='object' or a string dtype to pad string sequences.")
    if maxlen is None:
        maxlen = max(lengths, default=0)
    out = np.full((len(sequences), int(maxlen)) + item_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not lengths[i] or not maxlen:
            continue
        trunc = _as_array(seq, i, object if is_text else None)
        if trunc.shape[1:] != item_shape:
            raise ValueError(
                f"pad_sequences: the sequence at index {i} has items of shape "
                f"{trunc.shape[1:]}, but the sequence at index {first} has items of shape "
                f"{item_shape}; every sequence must nest to the same depth and shape.")
        trunc = trunc[-maxlen:] if truncating == "pre" else trunc[:maxlen]
        if padding == "post":
            out[i, :len(trunc)] = trunc
        else:
            out[i, -len(trunc):] = trunc
    return out
