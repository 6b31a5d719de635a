"""Run as a script: builds Keras 3 applications and prints their structure as JSON.

Used by the oracle tests (a subprocess, so Keras's backend and state stay out of the test
process). Input: a JSON list of [function name, kwargs] on stdin. Output: one entry per spec
with the parameter count, the layers (class, name, weights) and the weights in model order.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras.src.initializers.initializer import Initializer  # noqa: E402


def _zeros(self, shape, dtype=None):
    return keras.ops.zeros(shape, dtype=dtype)


# Only the structure is compared: zero initial values make Keras's builds several times faster.
for _cls in vars(keras.initializers).values():
    if isinstance(_cls, type) and issubclass(_cls, Initializer):
        _cls.__call__ = _zeros


def describe(model):
    return {
        "params": int(model.count_params()),
        "name": model.name,
        "output_shape": list(model.output_shape),
        "layers": [[type(layer).__name__, layer.name,
                    [[w.path, list(w.shape)] for w in layer.weights]] for layer in model.layers],
        "weights": [[w.path, list(w.shape)] for w in model.weights],
    }


def main():
    specs = json.load(sys.stdin)
    out = []
    for fn_name, kwargs in specs:
        if "input_shape" in kwargs and kwargs["input_shape"] is not None:
            kwargs["input_shape"] = tuple(kwargs["input_shape"])
        model = getattr(keras.applications, fn_name)(weights=None, **kwargs)
        out.append(describe(model))
        keras.backend.clear_session()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
