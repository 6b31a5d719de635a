"""Fixed layer cases (weights and inputs from a seeded NumPy RNG) whose outputs must agree across
backends. Run as a script to save every case's outputs to an ``.npz``:

    KERASLITE_BACKEND=tensorflow python cross_backend_cases.py out.npz
"""
from __future__ import annotations

import sys

import numpy as np


def _rand(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _fixed_weights(layer, seed):
    out = []
    for i, w in enumerate(layer.weights):
        value = _rand(w.shape, seed + i)
        if "variance" in w.name:
            value = np.abs(value) + 0.5
        out.append(value)
    layer.set_weights(out)


def _case_specs():
    from keraslite import layers

    # name -> (factory, input shapes, training flags to run)
    return {
        "dense": (lambda: layers.Dense(5, activation="relu"), [(3, 4, 6)], [False]),
        "activation": (lambda: layers.Activation("softmax"), [(3, 7)], [False]),
        "dropout": (lambda: layers.Dropout(0.5, seed=1), [(3, 7)], [False]),
        "flatten": (lambda: layers.Flatten(data_format="channels_first"), [(2, 3, 4, 5)], [False]),
        "reshape": (lambda: layers.Reshape((3, -1)), [(2, 4, 6)], [False]),
        "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 2), (0, 1))), [(2, 3, 4, 2)],
                           [False]),
        "conv2d": (lambda: layers.Conv2D(4, 3, strides=2, padding="same", groups=2),
                   [(2, 9, 8, 4)], [False]),
        "conv2d_dilated": (lambda: layers.Conv2D(3, (2, 3), dilation_rate=2, activation="relu"),
                           [(2, 9, 8, 2)], [False]),
        "max_pooling2d": (lambda: layers.MaxPooling2D(3, 2, padding="same"), [(2, 7, 6, 3)],
                          [False]),
        "average_pooling2d": (lambda: layers.AveragePooling2D((3, 2), 2, padding="same"),
                              [(2, 7, 6, 3)], [False]),
        "global_average_pooling2d": (lambda: layers.GlobalAveragePooling2D(), [(2, 5, 4, 3)],
                                     [False]),
        "global_max_pooling2d": (lambda: layers.GlobalMaxPooling2D(keepdims=True),
                                 [(2, 5, 4, 3)], [False]),
        "batch_normalization": (lambda: layers.BatchNormalization(momentum=0.8),
                                [(4, 3, 3, 5)], [False, True]),
        "add": (lambda: layers.Add(), [(2, 3), (2, 3)], [False]),
        "concatenate": (lambda: layers.Concatenate(axis=1), [(2, 3, 4), (2, 2, 4)], [False]),
    }


CASE_NAMES = [
    "dense", "activation", "dropout", "flatten", "reshape", "zero_padding2d", "conv2d",
    "conv2d_dilated", "max_pooling2d", "average_pooling2d", "global_average_pooling2d",
    "global_max_pooling2d", "batch_normalization", "add", "concatenate",
]


def compute_case(name):
    """Outputs (and, after a training call, the updated weights) of one case, as NumPy."""
    from keraslite import backend

    factory, shapes, trainings = _case_specs()[name]
    inputs = [_rand(s, 100 + i) for i, s in enumerate(shapes)]
    x = inputs if len(inputs) > 1 else inputs[0]
    layer = factory()
    layer(x)
    _fixed_weights(layer, 10)
    out = {}
    for training in trainings:
        out[f"{name}/training={training}"] = backend.convert_to_numpy(layer(x, training=training))
    for w in layer.weights:
        out[f"{name}/weight/{w.name}"] = w.numpy()
    return out


def compute_all():
    out = {}
    for name in CASE_NAMES:
        out.update(compute_case(name))
    return out


if __name__ == "__main__":
    np.savez(sys.argv[1], **compute_all())
