"""Targets: matching ``y`` to the model's outputs, checking it against the compiled losses, and
turning ``class_weight`` into per-sample weights. Host-side NumPy work done before compiling."""
from __future__ import annotations

import numpy as np

from keraslite.utils import tree


def output_names(model) -> list:
    """The names training uses for the model's outputs (the model's name for one output)."""
    names = getattr(model, "output_names", None)
    if callable(names):
        names = names()
    return list(names) if names else [model.name]


def names_for(model, n_outputs: int) -> list:
    """``output_names(model)`` when it has one name per output, else generated names."""
    names = output_names(model)
    if len(names) == n_outputs:
        return names
    return [f"output_{i}" for i in range(n_outputs)] if n_outputs > 1 else [model.name]


def flatten_targets(model_name: str, y, names: list) -> list:
    """``y`` (one array, a list or a dict by output name) as a list aligned with ``names``."""
    n = len(names)
    if isinstance(y, dict):
        missing = [k for k in names if k not in y]
        unknown = [k for k in y if k not in names]
        if missing or unknown:
            raise ValueError(
                f"Model '{model_name}' has outputs {names}; y has keys {sorted(y)}. "
                f"Missing: {missing}. Unknown: {unknown}."
            )
        return [y[k] for k in names]
    if isinstance(y, (list, tuple)):
        if len(y) != n:
            raise ValueError(
                f"Model '{model_name}' has {n} output(s) {names} but y holds {len(y)} "
                "arrays. Pass one target array per output."
            )
        return list(y)
    if n != 1:
        raise ValueError(
            f"Model '{model_name}' has {n} outputs {names}; pass y as a list or a dict "
            f"of {n} arrays. Received one array of shape {getattr(y, 'shape', None)}."
        )
    return [y]


def check_targets(compile_loss, y_flat, specs, names) -> None:
    """Raises a ValueError when a target cannot match its output under the compiled loss."""
    if compile_loss is None:
        return
    for i, (y, spec) in enumerate(zip(y_flat, specs)):
        if y is None or compile_loss.loss_for(i) is None:
            continue
        where = f"output '{names[i]}'" if len(names) > 1 else "the model output"
        if compile_loss.is_sparse(i):
            _check_sparse(y, tuple(spec.shape), where)
        elif compile_loss.knows_targets(i):
            _check_dense(y, tuple(spec.shape), where)


def _check_sparse(y, out_shape, where):
    classes = out_shape[-1]
    expected = out_shape[1:-1]
    got = tuple(y.shape[1:])
    if got not in (expected, expected + (1,)):
        raise ValueError(
            f"Sparse labels for {where} must have shape (batch,{' ' if expected else ''}"
            f"{', '.join(map(str, expected))}) with integer class ids, for an output "
            f"of shape {out_shape}. Received y of shape {tuple(y.shape)}. For one-hot "
            "labels use loss='categorical_crossentropy'."
        )
    if y.dtype.kind == "f" and not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError(
            f"Sparse labels for {where} must be integer class ids; received non-integer values."
        )
    if classes is not None and y.size:
        low, high = int(np.min(y)), int(np.max(y))
        if low < 0 or high >= classes:
            raise ValueError(
                f"Sparse labels for {where} must be in [0, {classes - 1}] (the output "
                f"has {classes} classes). Received labels from {low} to {high}."
            )


def _check_dense(y, out_shape, where):
    got = tuple(y.shape[1:])
    want = out_shape[1:]
    squeezable = (got + (1,) == want) or (want + (1,) == got)
    if squeezable or (len(got) == len(want)
                      and all(w is None or g == w for g, w in zip(got, want))):
        return
    raise ValueError(
        f"Targets for {where} have shape {tuple(y.shape)}, but the output has shape "
        f"{out_shape}. Every dimension after the batch must match (e.g. one-hot labels "
        f"with {want[-1] if want else 1} columns, or integer labels with "
        "loss='sparse_categorical_crossentropy')."
    )


def num_classes(model):
    """The class count of a single-output classifier (for class_weight; 2 for one sigmoid
    unit), None if unknown."""
    shape = getattr(model, "output_shape", None)
    if not isinstance(shape, (tuple, list)) or not shape or not isinstance(shape[-1], int):
        return None  # unknown, or several outputs (a list of shapes)
    return max(shape[-1], 2)


def class_weights_to_sample_weights(class_weight, data, n_classes=None) -> np.ndarray:
    """Per-sample weights from ``{class: weight}`` for a single-output model.

    ``n_classes`` (the output's last dimension, 2 for a single sigmoid unit) bounds the valid
    class ids; a key outside it is a mistake Keras would silently ignore, so it is refused.
    """
    if not isinstance(class_weight, dict):
        raise TypeError("class_weight must be a dict {class: weight}. "
                        f"Received: {type(class_weight).__name__}")
    ys = tree.flatten(data.y)
    if len(ys) != 1:
        raise ValueError("class_weight is only supported for models with a single output.")
    y = ys[0]
    one_hot = y.ndim > 1 and y.shape[-1] > 1
    labels = np.argmax(y, axis=-1) if one_hot else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    if one_hot:
        n_classes = y.shape[-1]
    unknown = [c for c in class_weight
               if not isinstance(c, (int, np.integer)) or c < 0
               or (n_classes is not None and c >= n_classes)]
    if unknown:
        valid = f"0..{n_classes - 1}" if n_classes else "non-negative integers"
        raise ValueError(f"class_weight names classes {unknown} that the model does not have. "
                         f"Valid class ids: {valid}. Received keys: "
                         f"{sorted(map(repr, class_weight))}")
    weights = np.ones(len(labels), dtype=np.float32)
    for cls, w in class_weight.items():
        if isinstance(w, bool) or not isinstance(w, (int, float, np.number)):
            raise TypeError(f"class_weight[{cls!r}] must be a number. Received: {w!r}")
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"class_weight[{cls!r}] must be a finite number >= 0. "
                             f"Received: {w!r}")
        weights[labels == int(cls)] = float(w)
    if data.sample_weight is not None:
        weights = weights * np.asarray(data.sample_weight, dtype=np.float32)
    return weights
