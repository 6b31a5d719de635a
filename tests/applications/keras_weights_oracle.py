"""Run as a script: Keras 3 applications with random weights, saved as files and predictions.

For each [function name, kwargs, tag] on stdin (JSON), writes into $ORACLE_OUT:
``tag.h5`` (the legacy Keras 2 layout of the published ImageNet files, via Keras's own legacy
writer), ``tag.weights.h5`` (Keras 3's layout) and ``tag.npz`` (an input batch and Keras's
predictions for it). Prints the tags written, as JSON.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.initializers.initializer import Initializer  # noqa: E402
from keras.src.legacy.saving import legacy_h5_format  # noqa: E402


def _zeros(self, shape, dtype=None):
    return keras.ops.zeros(shape, dtype=dtype)


# Values are set below from NumPy; skipping Keras's initializers makes the builds much faster.
for _cls in vars(keras.initializers).values():
    if isinstance(_cls, type) and issubclass(_cls, Initializer):
        _cls.__call__ = _zeros


def random_weights(model, rng):
    for w in model.weights:
        shape, name = tuple(w.shape), w.path
        if name.endswith("moving_variance"):
            value = rng.uniform(0.5, 1.5, shape)
        elif name.endswith("gamma"):
            value = rng.uniform(0.8, 1.2, shape)
        else:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 10
            value = rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), shape)
        w.assign(value.astype("float32"))


def fixed_length_names(f):
    """Keras 3's legacy writer stores the name lists as variable-length strings; the published
    files (h5py 2 era) hold fixed-length ones, as rewritten here."""
    def fix(obj):
        for attr in ("layer_names", "weight_names"):
            if attr in obj.attrs:
                names = [n.decode() if isinstance(n, bytes) else str(n) for n in obj.attrs[attr]]
                del obj.attrs[attr]
                obj.attrs[attr] = np.array([n.encode() for n in names], dtype="S")

    fix(f)
    f.visititems(lambda _, obj: fix(obj) if isinstance(obj, h5py.Group) else None)


def main():
    out = os.environ["ORACLE_OUT"]
    rng = np.random.default_rng(0)
    tags = []
    for fn_name, kwargs, tag in json.load(sys.stdin):
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
        model = getattr(keras.applications, fn_name)(weights=None, **kwargs)
        random_weights(model, rng)
        with h5py.File(os.path.join(out, f"{tag}.h5"), "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
            fixed_length_names(f)
        model.save_weights(os.path.join(out, f"{tag}.weights.h5"))
        x = rng.uniform(-1.0, 1.0, (2,) + kwargs["input_shape"]).astype("float32")
        y = np.asarray(model.predict(x, verbose=0))
        np.savez(os.path.join(out, f"{tag}.npz"), x=x, y=y)
        tags.append(tag)
        keras.backend.clear_session()
    json.dump(tags, sys.stdout)


if __name__ == "__main__":
    main()
