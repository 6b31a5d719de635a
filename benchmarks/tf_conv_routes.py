"""TensorFlow depthwise convolutions: keraslite's routes side by side with Keras 3's op.

For each configuration, the forward pass and one gradient (of the input and the kernel) inside
a ``tf.function``, median milliseconds of ``--repeats`` rounds, for:

- ``keraslite``: ``keraslite.ops.depthwise_conv`` (the route conv_routes.py picks);
- ``subsample``: the op at the largest equal stride dividing both, every k-th output kept (the
  route unequal strides took before the phase route);
- ``keras``: ``keras.ops.depthwise_conv`` (TensorFlow's kernel as is: unequal strides need
  oneDNN there, and without it Keras's call fails, reported as "refused").

The runners of a configuration take turns within each round (the order alternates): timed one
after the other, the first one measured was up to 1.7x slower on the very same TensorFlow graph.
``--clock cpu`` (the default) counts the process' CPU seconds, which a busy neighbour on a
shared machine stretches less than wall time; ``--clock wall`` counts wall time.

Run with the TensorFlow backend (both libraries use it here)::

    KERASLITE_BACKEND=tensorflow python benchmarks/tf_conv_routes.py
    KERASLITE_BACKEND=tensorflow python benchmarks/tf_conv_routes.py --batch 32 --repeats 20
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("KERASLITE_BACKEND", "tensorflow")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# (input height, width, channels, strides): MobileNetV2's stride-2 layers, and unequal strides
CONFIGS = [(113, 113, 96, (2, 2)), (57, 57, 144, (2, 2)), (56, 56, 96, (1, 2)),
           (56, 56, 96, (2, 1)), (56, 56, 96, (1, 3)), (57, 57, 96, (2, 3))]


def _compiled(op):
    import tensorflow as tf

    def forward(x, k):
        return [op(x, k)]

    def gradient(x, k):
        with tf.GradientTape() as tape:
            tape.watch([x, k])
            y = op(x, k)
            loss = tf.reduce_sum(y * y)
        return tape.gradient(loss, [x, k])

    return [tf.function(f, autograph=False) for f in (forward, gradient)]


def _interleaved_ms(fns: dict, args, repeats: int, clock) -> dict:
    """Median milliseconds of each function; all take turns in every round. A function that
    raises (a configuration TF refuses) gets None."""
    samples = {}
    for name, fn in fns.items():
        try:
            fn(*args)  # traces and warms up
            samples[name] = []
        except Exception:  # noqa: BLE001 - a refused configuration is a result, not a crash
            pass
    names = list(samples)
    for round_ in range(repeats):
        for name in names if round_ % 2 else names[::-1]:
            start = clock()
            _ = [t.numpy() for t in fns[name](*args)]
            samples[name].append(clock() - start)
    return {name: 1e3 * statistics.median(samples[name]) if name in samples else None
            for name in fns}


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args(argv)

    import math

    import numpy as np
    import tensorflow as tf

    import keraslite
    from keraslite.backends.tensorflow import conv_routes

    if keraslite.backend.backend() != "tensorflow":
        raise SystemExit("run with KERASLITE_BACKEND=tensorflow")
    try:
        import keras
    except ImportError:
        keras = None

    def subsampled(strides):
        g = math.gcd(*strides)

        def op(x, k):
            def native(inp, s, pad):
                return tf.nn.depthwise_conv2d(inp, k, (1,) + tuple(s) + (1,), pad)

            return conv_routes.subsample(native, x, (3, 3), strides, "VALID", (1, 1), (g, g))
        return op

    rng = np.random.default_rng(0)
    print(f"{'input':<18} {'strides':<8} {'route':<10} {'library':<10} "
          f"{'forward ms':>11} {'gradient ms':>12}")
    for h, w, c, strides in CONFIGS:
        x = tf.constant(rng.normal(size=(args.batch, h, w, c)).astype("float32"))
        k = tf.constant(rng.normal(size=(3, 3, c, 1)).astype("float32"))
        route = conv_routes.depthwise_route(strides, (1, 1), (3, 3), True)[0]
        runners = [("keraslite", lambda x, k, s=strides: keraslite.ops.depthwise_conv(x, k, s))]
        if strides[0] != strides[1]:
            runners.append(("subsample", subsampled(strides)))
        if keras is not None:
            runners.append(("keras", lambda x, k, s=strides: keras.ops.depthwise_conv(x, k, s)))
        fns = {}
        for library, op in runners:
            fns[library, "forward"], fns[library, "gradient"] = _compiled(op)
        clock = time.process_time if args.clock == "cpu" else time.perf_counter
        ms = _interleaved_ms(fns, (x, k), args.repeats, clock)
        for library, _ in runners:
            shown = ["refused" if ms[library, kind] is None else f"{ms[library, kind]:.2f}"
                     for kind in ("forward", "gradient")]
            print(f"{str((args.batch, h, w, c)):<18} {str(strides):<8} {route:<10} "
                  f"{library:<10} {shown[0]:>11} {shown[1]:>12}")


if __name__ == "__main__":
    main()
