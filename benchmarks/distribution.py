"""Data-parallel step time on 1, 2 and 4 devices: keraslite vs Keras 3, JAX backend.

Each device count runs in its own process (JAX fixes the device count at start-up). On CPU the
devices are simulated (``--xla_force_host_platform_device_count``), so they share the machine's
cores: the figures show the overhead of the sharded loop, not a speed-up. On a machine with
several GPUs pass ``--real`` to use them as they are.

keraslite and Keras 3 (when installed) each build the same MLP under ``DataParallel`` over all
devices, in processes of their own (both in one process crashed XLA's CPU client with 4
simulated devices), alternating ``--repeats`` times; after a warm-up epoch (compilation
excluded) the time of ``--epochs`` epochs is divided by the steps taken, and the minimum over
the repeats is reported.

    python benchmarks/distribution.py
    python benchmarks/distribution.py --devices 1,2,4,8 --epochs 3

This is a benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

SAMPLES, FEATURES, CLASSES, BATCH = 16384, 256, 10, 256
MARKER = "DISTRIBUTION_BENCH "


def _model(lib):
    model = lib.Sequential([lib.Input((FEATURES,)),
                            lib.layers.Dense(512, activation="relu"),
                            lib.layers.Dense(512, activation="relu"),
                            lib.layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _time(lib, x, y, epochs) -> float:
    lib.distribution.set_distribution(lib.distribution.DataParallel())
    model = _model(lib)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # compiles
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
    return (time.perf_counter() - start) / (epochs * (SAMPLES // BATCH)) * 1e3


def _child(name: str, epochs: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, FEATURES)).astype("float32")
    y = rng.integers(0, CLASSES, SAMPLES).astype("int32")
    print(MARKER + json.dumps(_time(__import__(name), x, y, epochs)), flush=True)


def _run(name: str, count: int, epochs: int, real: bool) -> float | None:
    env = dict(os.environ, KERASLITE_BACKEND="jax", KERAS_BACKEND="jax")
    if not real:
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={count}"
        env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run([sys.executable, __file__, "--child", name, "--epochs", str(epochs)],
                          env=env, capture_output=True, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.startswith(MARKER)]
    if not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {name} on {count} devices: unavailable ({tail[:100]})", file=sys.stderr)
        return None
    return json.loads(lines[-1][len(MARKER):])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", default="1,2,4")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--real", action="store_true", help="use the real devices present")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.epochs)
        return
    rows = []
    for count in [int(c) for c in args.devices.split(",")]:
        times = {"keraslite": [], "keras": []}
        for _ in range(args.repeats):
            for name in times:  # alternate: both libraries see the same load
                t = _run(name, count, args.epochs, args.real)
                if t is not None:
                    times[name].append(t)
        rows.append((count, {k: min(v) for k, v in times.items() if v}))
    print(f"\nMLP 256-512-512-10, batch {BATCH}, {SAMPLES} samples, DataParallel; ms per step "
          "(min over repeats, after compilation); ratio = Keras time / keraslite time "
          "(>1: keraslite faster)")
    print(f"{'devices':>8}{'keraslite ms':>14}{'keras ms':>12}{'ratio':>8}")
    for count, t in rows:
        ours, theirs = t.get("keraslite"), t.get("keras")
        ratio = f"{theirs / ours:.2f}x" if ours and theirs else ""
        print(f"{count:>8}{ours or float('nan'):>14.2f}{theirs or float('nan'):>12.2f}{ratio:>8}")


if __name__ == "__main__":
    main()
