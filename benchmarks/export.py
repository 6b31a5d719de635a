"""ONNX export: onnxruntime's inference latency next to keraslite's own, at batch 1 and 32.

Models: an MLP (784-256-256-10), a small CNN (32x32x3, three conv blocks with average pooling),
a small transformer block (sequence 32, width 64, 4 heads, relu feed-forward) and, with
``--applications``, MobileNetV2 (alpha 0.35, 96x96, random weights). Each is exported with
``model.export(path, format="onnx")`` (jax2onnx on JAX, tf2onnx on TensorFlow, which also
adds an LSTM(32) over 50 steps), then, after warm-up (compilation
excluded), ``--repeats`` calls alternate between

- keraslite: ``model.predict(x, batch_size=len(x), verbose=0)`` and ``model(x)`` (the direct,
  compiled call, without predict's loop);
- onnxruntime: ``session.run(None, {name: x})`` on the CPU execution provider.

The table shows median and minimum milliseconds per call and the largest output difference.
Timed calls alternate so a changing machine load hits both sides alike.

    KERASLITE_BACKEND=jax python benchmarks/export.py
    KERASLITE_BACKEND=jax python benchmarks/export.py --repeats 50 --applications
    KERASLITE_BACKEND=tensorflow python benchmarks/export.py

This is a benchmark, not a test: it asserts nothing. Timings on a shared machine are noisy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("KERASLITE_BACKEND", "jax")

import numpy as np  # noqa: E402


def _models(with_applications: bool):
    import keraslite
    from keraslite import layers

    out = {"mlp": keraslite.Sequential([keraslite.Input((784,)),
                                        layers.Dense(256, activation="relu"),
                                        layers.Dense(256, activation="relu"), layers.Dense(10)])}
    blocks = [keraslite.Input((32, 32, 3))]
    for filters in (16, 32, 64):
        blocks += [layers.Conv2D(filters, 3, padding="same", activation="relu"),
                   layers.AveragePooling2D()]
    out["cnn"] = keraslite.Sequential(blocks + [layers.GlobalAveragePooling2D(),
                                                layers.Dense(10)])
    i = keraslite.Input((32, 64))
    x = layers.LayerNormalization()(layers.Add()([
        i, layers.MultiHeadAttention(num_heads=4, key_dim=16)(i, i)]))
    ff = layers.Dense(64)(layers.Dense(128, activation="relu")(x))
    out["transformer"] = keraslite.Model(i, layers.LayerNormalization()(layers.Add()([x, ff])))
    if keraslite.backend.backend() == "tensorflow":  # jax2onnx 0.17 cannot convert recurrent
        out["lstm"] = keraslite.Sequential([keraslite.Input((50, 16)), layers.LSTM(32),
                                            layers.Dense(4)])
    if with_applications:
        out["mobilenet_v2"] = keraslite.applications.MobileNetV2(
            input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=10)
    return out


def _time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--applications", action="store_true")
    args = parser.parse_args()
    import onnxruntime as ort

    print(f"{'model':<14}{'batch':>6}{'predict ms':>22}{'model(x) ms':>22}"
          f"{'onnxruntime ms':>22}{'max |diff|':>12}")
    print(f"{'':<14}{'':>6}" + f"{'median / min':>22}" * 3)
    folder = tempfile.mkdtemp(prefix="export-bench-")
    for name, model in _models(args.applications).items():
        path = os.path.join(folder, f"{name}.onnx")
        model.export(path, format="onnx", verbose=False)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        input_name = session.get_inputs()[0].name
        for batch in (1, 32):
            x = np.random.default_rng(0).standard_normal(
                (batch,) + tuple(model.inputs[0].shape[1:])).astype("float32")
            runs = {
                "predict": lambda: model.predict(x, batch_size=batch, verbose=0),
                "call": lambda: np.asarray(model(x)),
                "onnx": lambda: session.run(None, {input_name: x})[0],
            }
            for fn in runs.values():  # warm-up: compilation and first-run costs
                fn(), fn()
            times = {key: [] for key in runs}
            for _ in range(args.repeats):  # alternate, one call each per round
                for key, fn in runs.items():
                    times[key] += _time(fn, 1)
            diff = float(np.max(np.abs(runs["onnx"]() - runs["call"]())))
            cells = "".join(f"{statistics.median(times[k]):>12.2f} / {min(times[k]):<7.2f}"
                            for k in runs)
            print(f"{name:<14}{batch:>6}{cells}{diff:>12.1e}")


if __name__ == "__main__":
    main()
