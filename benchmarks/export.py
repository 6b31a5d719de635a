"""ONNX export: onnxruntime's inference latency next to keraslite's own, at batch 1 and 32.

Models: an MLP (784-256-256-10), a small CNN (32x32x3, three conv blocks with max pooling), a
transformer block (sequence 32, width 64, 4 heads, gelu feed-forward), an LSTM(32) over 50 steps
and the applications VGG16, ResNet50 (include_top=False, average pooling) and MobileNetV2
(alpha 0.35), all with random weights at ``--image-size`` (96 by default). Each is exported
with ``model.export(path, format="onnx")`` (jax2onnx on JAX, tf2onnx on TensorFlow), then,
after warm-up (compilation excluded), ``--repeats`` calls alternate between

- keraslite: ``model.predict(x, batch_size=len(x), verbose=0)`` and ``model(x)`` (the direct,
  compiled call, without predict's loop);
- onnxruntime: ``session.run(None, {name: x})`` on the CPU execution provider.

The table shows median and minimum milliseconds per call, the largest output difference and the
seconds the export took. Timed calls alternate so a changing machine load hits both sides alike.

    KERASLITE_BACKEND=jax python benchmarks/export.py
    KERASLITE_BACKEND=tensorflow python benchmarks/export.py --repeats 50
    KERASLITE_BACKEND=jax python benchmarks/export.py --quick    # 32x32 images, 3 repeats
    KERASLITE_BACKEND=jax python benchmarks/export.py --models lstm transformer

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


MODELS = ("mlp", "cnn", "transformer", "lstm", "vgg16", "resnet50", "mobilenet_v2")


def _build(name: str, image_size: int):
    import keraslite
    from keraslite import layers

    if name == "mlp":
        return keraslite.Sequential([keraslite.Input((784,)),
                                     layers.Dense(256, activation="relu"),
                                     layers.Dense(256, activation="relu"), layers.Dense(10)])
    if name == "cnn":
        blocks = [keraslite.Input((32, 32, 3))]
        for filters in (16, 32, 64):
            blocks += [layers.Conv2D(filters, 3, padding="same", activation="relu"),
                       layers.MaxPooling2D()]
        return keraslite.Sequential(blocks + [layers.GlobalAveragePooling2D(),
                                              layers.Dense(10)])
    if name == "transformer":
        i = keraslite.Input((32, 64))
        x = layers.LayerNormalization()(layers.Add()([
            i, layers.MultiHeadAttention(num_heads=4, key_dim=16)(i, i)]))
        ff = layers.Dense(64)(layers.Dense(128, activation="gelu")(x))
        return keraslite.Model(i, layers.LayerNormalization()(layers.Add()([x, ff])))
    if name == "lstm":
        return keraslite.Sequential([keraslite.Input((50, 16)), layers.LSTM(32),
                                     layers.Dense(4)])
    shape = (image_size, image_size, 3)
    if name == "mobilenet_v2":
        return keraslite.applications.MobileNetV2(input_shape=shape, alpha=0.35, weights=None,
                                                  classes=10)
    application = {"vgg16": "VGG16", "resnet50": "ResNet50"}[name]
    return getattr(keraslite.applications, application)(include_top=False, weights=None,
                                                         input_shape=shape, pooling="avg")


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
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 32x32 images and 3 repeats")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.image_size = 3, 32
    import onnxruntime as ort

    import keraslite

    print(f"backend {keraslite.backend.backend()}, onnxruntime {ort.__version__}, "
          f"images {args.image_size}x{args.image_size}, {args.repeats} repeats")
    print(f"{'model':<14}{'batch':>6}{'predict ms':>22}{'model(x) ms':>22}"
          f"{'onnxruntime ms':>22}{'max |diff|':>12}{'export s':>10}")
    print(f"{'':<14}{'':>6}" + f"{'median / min':>22}" * 3)
    folder = tempfile.mkdtemp(prefix="export-bench-")
    for name in args.models:
        model = _build(name, args.image_size)
        path = os.path.join(folder, f"{name}.onnx")
        start = time.perf_counter()
        model.export(path, format="onnx", verbose=False)
        export_seconds = time.perf_counter() - start
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
            print(f"{name:<14}{batch:>6}{cells}{diff:>12.1e}{export_seconds:>10.1f}",
                  flush=True)
        os.remove(path)


if __name__ == "__main__":
    main()
