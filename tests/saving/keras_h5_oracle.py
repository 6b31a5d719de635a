"""Keras 3 as the oracle for weight-file loading; run as a script in its own process.

    python keras_h5_oracle.py OUT_DIR

For every case in ``keras_h5_cases`` it gives the Keras model fixed random weights and writes:
``<case>.weights.h5`` (Keras 3's own ``save_weights``), ``<case>.model.h5`` (its legacy
``model.save``, for the cases in ``FULL_MODEL_H5``), ``<case>.inputs.npz`` and
``<case>.expected.npy`` (the inference output), and ``<case>.legacy.json`` +
``<case>.legacy.npz``: per top-level layer, the weight names and arrays in the order Keras 2
saved them (trainable, then non-trainable), from which the tests write legacy ``.h5`` files.
"""
import json
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")
# Keras runs every weight initializer as its own XLA program; cheaper compilation halves the time
# this script takes, and these tiny programs gain nothing from optimization.
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0 "
                                   "--xla_llvm_disable_expensive_passes=true")
# Keras imports TensorFlow on first use when it is installed (seconds); the jax backend does not
# need it (only Keras's preprocessing layers would).
sys.modules["tensorflow"] = None

import numpy as np  # noqa: E402

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keras_h5_cases import CASES  # noqa: E402

# Cases also saved whole with ``model.save("<case>.model.h5")``: Sequential and functional.
FULL_MODEL_H5 = ("mlp", "cnn", "multi_input", "nested")


def _random_weights(model, seed):
    rng = np.random.default_rng(seed)
    values = []
    for w in model.weights:
        value = rng.standard_normal(tuple(w.shape)) * 0.5
        if "variance" in w.path:
            value = np.abs(value) + 0.5
        values.append(value.astype(w.dtype))
    model.set_weights(values)


def _legacy_name(model, variable):
    path = variable.path
    if path.startswith(model.name + "/"):
        path = path[len(model.name) + 1:]
    return path + ":0"


def main(out_dir):
    for seed, (name, build) in enumerate(sorted(CASES.items())):
        keras.utils.clear_session()
        model, inputs = build(keras)
        _random_weights(model, 100 + seed)
        model.save_weights(os.path.join(out_dir, f"{name}.weights.h5"))
        if name in FULL_MODEL_H5:
            # The legacy full-model file: its name attributes are variable-length strings.
            model.save(os.path.join(out_dir, f"{name}.model.h5"))
        x = inputs if len(inputs) > 1 else inputs[0]
        expected = np.asarray(model(x, training=False))
        np.save(os.path.join(out_dir, f"{name}.expected.npy"), expected)
        np.savez(os.path.join(out_dir, f"{name}.inputs.npz"), *inputs)
        manifest, arrays = [], {}
        for layer in model.layers:
            weights = list(layer.trainable_weights) + list(layer.non_trainable_weights)
            names = []
            for w in weights:
                arrays[f"w{len(arrays)}"] = np.asarray(w.numpy())
                names.append(_legacy_name(model, w))
            manifest.append([layer.name, names])
        with open(os.path.join(out_dir, f"{name}.legacy.json"), "w") as f:
            json.dump(manifest, f)
        np.savez(os.path.join(out_dir, f"{name}.legacy.npz"), **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
