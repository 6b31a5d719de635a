"""Keras 3 as the oracle for ``.keras`` archives; run as a script in its own process.

    python keras_archive_oracle.py write OUT_DIR   # the corpus, written by Keras
    python keras_archive_oracle.py read DIR        # Keras loads DIR/*.from_keraslite.keras

``write``: for every case in ``keras_archive_cases`` it writes ``<case>.keras`` (``model.save``),
``<case>.inputs.npz``, ``<case>.expected.npz`` (``predict`` outputs) and, for compiled cases,
``<case>.train.npz`` (one more batch) and ``<case>.after_step.npz`` (the outputs after Keras
trained on that batch once more, from the saved optimizer state).
``read``: loads each keraslite-written archive with Keras (safe_mode on) and writes
``<case>.keras_predictions.npz`` for the inputs beside it, or ``<case>.keras_error.txt``.
"""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0 "
                                   "--xla_llvm_disable_expensive_passes=true")

import numpy as np  # noqa: E402

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keras_archive_cases import CASES, custom_classes  # noqa: E402


def _outputs(model, inputs):
    x = inputs if len(inputs) > 1 else inputs[0]
    if isinstance(getattr(model, "_inputs_struct", None), dict):  # dict_inputs: keys sorted
        x = dict(zip(sorted(model._inputs_struct), inputs))
    out = model(x, training=False)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _save_list(path, arrays):
    np.savez(path, *[np.asarray(a) for a in arrays])


def write(out_dir):
    for name, build in CASES.items():
        keras.utils.set_random_seed(1)
        model, inputs, train = build(keras)
        if train is not None:
            x, y = train
            model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
        model.save(os.path.join(out_dir, f"{name}.keras"))
        _save_list(os.path.join(out_dir, f"{name}.inputs.npz"), inputs)
        _save_list(os.path.join(out_dir, f"{name}.expected.npz"), _outputs(model, inputs))
        if train is not None:
            x, y = train
            xs = x if isinstance(x, list) else [x]
            ys = y if isinstance(y, list) else [y]
            np.savez(os.path.join(out_dir, f"{name}.train.npz"),
                     **{f"x{i}": a for i, a in enumerate(xs)},
                     **{f"y{i}": a for i, a in enumerate(ys)})
            model.train_on_batch(x, y)
            _save_list(os.path.join(out_dir, f"{name}.after_step.npz"), _outputs(model, inputs))


def read(folder):
    custom_classes(keras)
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".from_keraslite.keras"):
            continue
        name = file[: -len(".from_keraslite.keras")]
        try:
            model = keras.saving.load_model(os.path.join(folder, file))
            inputs = list(np.load(os.path.join(folder, f"{name}.inputs.npz")).values())
            _save_list(os.path.join(folder, f"{name}.keras_predictions.npz"),
                       _outputs(model, inputs))
        except Exception as error:  # reported to the test, which fails naming it
            with open(os.path.join(folder, f"{name}.keras_error.txt"), "w") as f:
                f.write(f"{type(error).__name__}: {error}")


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
