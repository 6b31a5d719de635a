"""The two forms of a convolution on JAX/CPU, per layer shape: XLA's own convolution and
keraslite's matmuls over gathered windows (backends/jax/conv_as_matmul.py), forward outside
any loop (what ``predict`` runs) and a training step inside a ``fori_loop`` (what ``fit`` and
``train_on_batch`` run). docs/conv-performance.md records what it measured and the rules
chosen from it (backends/jax/conv_routes.py).

Routes: ``xla`` (``lax.conv_general_dilated``), ``matmul`` (keraslite's windows, grouped under
``conv_as_matmul.IM2COL_BYTES``), ``per_window`` (every window its own matmul, the form large
inputs took before grouping). Each cell is the median of ``--repeats`` calls after one that
compiles.

    python benchmarks/conv_routes.py
    python benchmarks/conv_routes.py --batch 8 --shapes stem res3x3 --modes forward
    python benchmarks/conv_routes.py --routes matmul per_window --modes loop_train

An XLA convolution in the loop can take minutes per step (that is the point); leave ``xla`` out
of ``--routes`` or use a small ``--batch`` to skip the wait. This is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERASLITE_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from keraslite.backends.jax import conv_as_matmul  # noqa: E402

# name: (image side, in channels, out channels, window, stride), the layers of the issue's
# three applications at 224x224.
SHAPES = {
    "stem7x7": (224, 3, 64, 7, 2),         # ResNet50's first convolution
    "res3x3": (56, 64, 64, 3, 1),          # ResNet50 stage 1
    "res1x1": (56, 256, 64, 1, 1),         # ResNet50 bottleneck reduction
    "res3x3_512": (14, 512, 512, 3, 1),    # ResNet50 stage 4 / VGG16 block 5
    "vgg3x3_224": (224, 64, 64, 3, 1),     # VGG16 block 1
    "mobile_stem": (224, 3, 32, 3, 2),     # MobileNetV2's first convolution
}
ROUTES = ("xla", "matmul", "per_window")
MODES = ("forward", "loop_train")


def _conv(route: str, stride: int, pads):
    def xla(x, k):
        return jax.lax.conv_general_dilated(x, k, (stride, stride), pads,
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def windows(x, k):
        return conv_as_matmul.conv_channels_last(x, k, (stride, stride), pads, (1, 1))

    def per_window(x, k):
        saved = conv_as_matmul.IM2COL_BYTES
        conv_as_matmul.IM2COL_BYTES = 0  # read while tracing
        try:
            return windows(x, k)
        finally:
            conv_as_matmul.IM2COL_BYTES = saved

    return {"xla": xla, "matmul": windows, "per_window": per_window}[route]


def _program(conv, mode: str):
    if mode == "forward":
        return jax.jit(conv)

    def loss(x, k):
        return jnp.mean(jnp.square(conv(x, k)))

    def run(x, k, steps):
        # An SGD step on the kernel, as the training loop runs it (the input needs no gradient).
        return jax.lax.fori_loop(0, steps, lambda i, kk: kk - 0.01 * jax.grad(loss, 1)(x, kk), k)

    jitted = jax.jit(run)
    return lambda x, k: jitted(x, k, np.int32(1))


def _seconds(fn, args, repeats: int) -> float:
    jax.block_until_ready(fn(*args))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _same_pads(side: int, window: int, stride: int):
    total = max(window - stride, 0) if side % stride == 0 else max(window - side % stride, 0)
    return [(total // 2, total - total // 2)] * 2


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--routes", nargs="+", default=list(ROUTES), choices=ROUTES)
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"batch {args.batch}, {os.cpu_count()} CPUs; milliseconds per call (median)")
    for name in args.shapes:
        side, c_in, c_out, window, stride = SHAPES[name]
        x = jnp.asarray(rng.normal(size=(args.batch, side, side, c_in)).astype("float32"))
        k = jnp.asarray(rng.normal(size=(window, window, c_in, c_out)).astype("float32") * 0.05)
        pads = _same_pads(side, window, stride)
        cells = []
        for mode in args.modes:
            for route in args.routes:
                ms = 1000 * _seconds(_program(_conv(route, stride, pads), mode), (x, k),
                                     args.repeats)
                cells.append(f"{mode}/{route} {ms:8.0f}")
        print(f"{name:12s} " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
