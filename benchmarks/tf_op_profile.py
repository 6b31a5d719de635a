"""Where an application's step spends its time on TensorFlow, per op type, keraslite beside Keras 3.

Both libraries build the family (``weights=None``) in one process and trace one
``tf.function`` of the forward pass (``--task predict``) or of the forward pass and the
gradients of every trainable weight (``--task train``). After a warm-up call, each round runs
both steps under TensorFlow's profiler, taking turns. The table gives, per op type, the
smallest over the rounds of the milliseconds its kernels took in one step (summed over its
calls; kernels can overlap, so a column may add up to more than the step) and its number of
calls, largest first. Compare rows within one run: absolute figures depend on the machine.

    KERASLITE_BACKEND=tensorflow python benchmarks/tf_op_profile.py --family MobileNetV2
    KERASLITE_BACKEND=tensorflow python benchmarks/tf_op_profile.py --family VGG16 \\
        --task predict --size 112 --batch 4 --top 10
"""
from __future__ import annotations

import argparse
import collections
import glob
import os
import tempfile
import time


LIBRARIES = ["keraslite", "keras"]
# events named like kernels that are the executor's own spans around them
_NOT_KERNELS = {"Process", "Run", "Record", "StartRegion", "StopRegion"}


def _step(library: str, family: str, task: str, size: int):
    """A ``tf.function`` of one predict or train step of ``family`` built by ``library``."""
    import tensorflow as tf

    if library == "keras":
        import keras as lib
    else:
        import keraslite as lib
    model = getattr(lib.applications, family)(weights=None, input_shape=(size, size, 3))
    weights = model.trainable_variables

    def train(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x, training=True))
        return tape.gradient(loss, weights)

    def predict(x):
        return model(x, training=False)

    return tf.function(train if task == "train" else predict)


def _profiled(step, x) -> dict:
    """``{op type: [ms, calls]}`` of one call of ``step`` under TensorFlow's profiler."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    logdir = tempfile.mkdtemp()
    tf.profiler.experimental.start(logdir)
    step(x)
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    with open(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)[0], "rb") as f:
        space.ParseFromString(f.read())
    ops = collections.defaultdict(lambda: [0.0, 0])
    for plane in space.planes:
        for line in plane.lines:
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name
                if ":" not in name:  # kernel events are named "node name:OpType"
                    continue
                op = name.rsplit(":", 1)[1]
                if " " in op or op in _NOT_KERNELS:
                    continue
                ops[op][0] += event.duration_ps / 1e9
                ops[op][1] += 1
    return dict(ops)


def profile(family: str, task: str, size: int, batch: int, rounds: int) -> dict:
    """Per library: the fastest step (ms) and, per op type, the smallest time over ``rounds``
    profiled steps. The libraries take turns in every round, so a busy neighbour on a shared
    machine slows both alike."""
    import numpy as np
    import tensorflow as tf

    x = tf.constant(np.random.default_rng(0).uniform(0, 255, (batch, size, size, 3)),
                    tf.float32)
    steps = {library: _step(library, family, task, size) for library in LIBRARIES}
    results = {library: {"step_ms": float("inf"), "ops": {}} for library in LIBRARIES}
    for step in steps.values():
        step(x)  # traces and warms up
    for round_ in range(rounds):
        for library in LIBRARIES if round_ % 2 else LIBRARIES[::-1]:
            start = time.perf_counter()
            steps[library](x)
            result = results[library]
            result["step_ms"] = min(result["step_ms"], 1e3 * (time.perf_counter() - start))
            for op, (ms, calls) in _profiled(steps[library], x).items():
                best = result["ops"].get(op)
                result["ops"][op] = [min(ms, best[0]) if best else ms, calls]
    return results


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="MobileNetV2")
    parser.add_argument("--task", choices=["train", "predict"], default="train")
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("KERASLITE_BACKEND", "tensorflow")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if os.environ["KERASLITE_BACKEND"] != "tensorflow":
        raise SystemExit("run with KERASLITE_BACKEND=tensorflow")
    results = profile(args.family, args.task, args.size, args.batch, args.rounds)
    print(f"{args.family} {args.task}, batch {args.batch}, {args.size}x{args.size}")
    for library, result in results.items():
        print(f"{library}: step {result['step_ms']:.1f} ms")
    totals = collections.Counter()
    for result in results.values():
        for op, (ms, _) in result["ops"].items():
            totals[op] = max(totals[op], ms)
    print(f"\n{'op type':<46} {'keraslite ms':>12} {'calls':>6} {'keras ms':>10} {'calls':>6}")
    for op, _ in totals.most_common(args.top):
        cells = []
        for library in ("keraslite", "keras"):
            ms, calls = results.get(library, {}).get("ops", {}).get(op, (None, 0))
            cells += ["-" if ms is None else f"{ms:.2f}", str(calls)]
        print(f"{op:<46} {cells[0]:>12} {cells[1]:>6} {cells[2]:>10} {cells[3]:>6}")


if __name__ == "__main__":
    main()
