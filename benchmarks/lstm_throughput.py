"""LSTM throughput: keraslite vs Keras 3, on each backend.

Model: ``Sequential([Input((100, 32)), LSTM(64)])``, MSE loss against random targets, Adam.
Data: one batch of shape (64, 100, 32). Times, after warm-up (compilation excluded), the median
of ``--repeats`` calls of

- forward: ``model.predict(x, batch_size=64)`` (one batch);
- train step: ``model.train_on_batch(x, y)`` (one optimizer step).

Each (library, backend) pair runs in its own subprocess, because a backend is chosen once, at
import, from ``KERASLITE_BACKEND`` / ``KERAS_BACKEND``. Runners whose library is not
installed are reported as unavailable.

    python benchmarks/lstm_throughput.py
    python benchmarks/lstm_throughput.py --repeats 5 --runners keraslite-jax,keras-jax

This is a benchmark, not a test: it asserts nothing. Timings on a shared machine are noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

BATCH, STEPS, FEATURES, UNITS = 64, 100, 32, 64
RESULT_MARKER = "LSTM_THROUGHPUT_RESULT "
RUNNERS = {
    "keraslite-jax": ("keraslite", "jax"),
    "keraslite-tensorflow": ("keraslite", "tensorflow"),
    "keras-jax": ("keras", "jax"),
    "keras-tensorflow": ("keras", "tensorflow"),
}


def _child(library: str, warmup: int, repeats: int) -> dict:
    if library == "keraslite":
        import keraslite as lib
    else:
        import keras as lib
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
    y = rng.standard_normal((BATCH, UNITS)).astype("float32")
    model = lib.Sequential([lib.Input((STEPS, FEATURES)), lib.layers.LSTM(UNITS)])
    model.compile(optimizer=lib.optimizers.Adam(1e-3), loss="mse")

    def timed(fn):
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    forward = timed(lambda: np.asarray(model.predict(x, batch_size=BATCH, verbose=0)))
    train = timed(lambda: float(np.asarray(model.train_on_batch(x, y)).ravel()[0]))
    return {"forward_s": forward, "train_step_s": train}


def _run(name: str, warmup: int, repeats: int) -> dict | None:
    library, backend = RUNNERS[name]
    env = dict(os.environ, KERASLITE_BACKEND=backend, KERAS_BACKEND=backend,
               TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [sys.executable, os.path.abspath(__file__), "--child", library,
           "--warmup", str(warmup), "--repeats", str(repeats)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    print(f"  {name}: unavailable ({tail[0][:120]})", file=sys.stderr)
    return None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", default=",".join(RUNNERS))
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--child", choices=["keraslite", "keras"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = _child(args.child, args.warmup, args.repeats)
        print(RESULT_MARKER + json.dumps(result), flush=True)
        return

    names = [n.strip() for n in args.runners.split(",") if n.strip()]
    unknown = [n for n in names if n not in RUNNERS]
    if unknown:
        parser.error(f"unknown runner(s) {unknown}; choose from {sorted(RUNNERS)}")
    results = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = _run(name, args.warmup, args.repeats)

    print(f"\nLSTM({UNITS}) on a ({BATCH}, {STEPS}, {FEATURES}) batch; median of {args.repeats} "
          f"after {args.warmup} warm-up calls (ms; ratio = Keras time / keraslite time on the "
          "same backend, >1 means keraslite is faster)")
    header = f"{'runner':<22}{'forward ms':>12}{'train step ms':>15}{'fwd ratio':>11}{'train ratio':>13}"
    print(header)
    print("-" * len(header))
    for name in names:
        r = results[name]
        if r is None:
            print(f"{name:<22}{'n/a':>12}{'n/a':>15}")
            continue
        fwd_ratio = train_ratio = ""
        library, backend = RUNNERS[name]
        if library == "keraslite":
            theirs = results.get(f"keras-{backend}")
            if theirs:
                fwd_ratio = f"{theirs['forward_s'] / r['forward_s']:.2f}x"
                train_ratio = f"{theirs['train_step_s'] / r['train_step_s']:.2f}x"
        print(f"{name:<22}{r['forward_s'] * 1e3:>12.2f}{r['train_step_s'] * 1e3:>15.2f}"
              f"{fwd_ratio:>11}{train_ratio:>13}")


if __name__ == "__main__":
    main()
