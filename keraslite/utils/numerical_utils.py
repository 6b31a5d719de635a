"""NumPy helpers for labels and features: one-hot encoding and L-p normalisation."""
from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encodes integer class labels, like ``keras.utils.to_categorical``.

    Args:
        x: Array-like of integer class ids in ``[0, num_classes)``, any shape. A trailing axis
            of size 1 (labels shaped ``(n, 1)``) is dropped, as Keras does.
        num_classes: Number of classes. Defaults to ``max(x) + 1``.

    Returns:
        A float32 NumPy array of shape ``x.shape + (num_classes,)``.

    Example:
        >>> to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    labels = np.asarray(x)
    if labels.dtype == bool:
        labels = labels.astype("int64")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise ValueError(
                "to_categorical expects integer class labels. Received non-integer values, "
                f"e.g. {_first_bad(labels, labels != np.round(labels))}. Round or cast the "
                "labels to int first."
            )
        labels = labels.astype("int64")
    elif labels.dtype.kind not in "iu":
        raise TypeError(
            f"to_categorical expects integer class labels. Received dtype={labels.dtype}."
        )
    labels = labels.astype("int64", copy=False)

    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)

    if flat.size and flat.min() < 0:
        raise ValueError(
            "to_categorical expects non-negative class labels. Received a label of "
            f"{int(flat.min())}."
        )
    if num_classes is None:
        num_classes = int(flat.max()) + 1 if flat.size else 0
    else:
        if int(num_classes) != num_classes or num_classes < 1:
            raise ValueError(
                f"num_classes must be a positive integer. Received: num_classes={num_classes!r}"
            )
        num_classes = int(num_classes)
        if flat.size and flat.max() >= num_classes:
            raise ValueError(
                f"to_categorical got a label of {int(flat.max())}, which does not fit "
                f"num_classes={num_classes} (labels must be in [0, {num_classes})). "
                "Pass a larger num_classes or leave it unset to infer it."
            )

    one_hot = np.zeros((flat.size, num_classes), dtype="float32")
    one_hot[np.arange(flat.size), flat] = 1.0
    return one_hot.reshape(shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scales ``x`` so each slice along ``axis`` has unit L-``order`` norm (zero slices stay 0)."""
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    x = np.asarray(x)
    if x.dtype.kind not in "fc":
        x = x.astype("float32")
    norm = np.atleast_1d(np.linalg.norm(x, ord=order, axis=axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def _first_bad(values: np.ndarray, mask: np.ndarray):
    bad = values[mask]
    return bad.reshape(-1)[0].item() if bad.size else values.reshape(-1)[0].item()
