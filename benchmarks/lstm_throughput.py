"""LSTM throughput: keraslite vs Keras 3, on each backend.

Model: ``Sequential([Input((100, 32)), LSTM(64)])`` (``--layer GRU`` / ``SimpleRNN`` for the other
built-in recurrent layers), MSE loss against random targets, Adam.
Data: one batch of shape (64, 100, 32). After warm-up (compilation excluded) it times
``--repeats`` calls of

- forward: ``model.predict(x, batch_size=64)`` (one batch);
- train step: ``model.train_on_batch(x, y)`` (one optimizer step).

A backend is chosen once, at import, from ``KERASLITE_BACKEND`` / ``KERAS_BACKEND``, so each
backend runs in its own subprocess; inside it keraslite and Keras (when installed) are built
side by side and their timed calls alternate (keraslite, Keras, keraslite, ...). On a shared
machine the load changes from second to second: timing one library after the other compares
two different loads, alternating calls compares the two under the same one. The table shows
the median and the minimum of the repeats, and the ratios of both.

    python benchmarks/lstm_throughput.py
    python benchmarks/lstm_throughput.py --repeats 40 --backends jax
    python benchmarks/lstm_throughput.py --layer GRU
    python benchmarks/lstm_throughput.py --clock cpu   # CPU time: steadier on a busy machine
    python benchmarks/lstm_throughput.py --backends tensorflow --jit-compile false

``--jit-compile true|false`` passes ``jit_compile=`` to keraslite's ``compile``; Keras keeps its
default (XLA on JAX; on a TensorFlow CPU, TensorFlow's own kernels). On TensorFlow keraslite
picks XLA or TensorFlow's kernels by itself, and the two run a recurrent layer at different
speeds.

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
BACKENDS = ("jax", "tensorflow")
LIBRARIES = ("keraslite", "keras")
LAYERS = ("LSTM", "GRU", "SimpleRNN")
# wall: elapsed time. cpu: CPU time of the process, all its threads: on a machine shared with
# other jobs it counts the work done, not the time spent waiting for a core.
_CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _calls(lib, x, y, layer: str, jit_compile: str = "default") -> dict:
    """The two timed calls of one library's model."""
    model = lib.Sequential([lib.Input((STEPS, FEATURES)), getattr(lib.layers, layer)(UNITS)])
    options = {}
    if jit_compile != "default" and lib.__name__ == "keraslite":
        options["jit_compile"] = jit_compile == "true"
    model.compile(optimizer=lib.optimizers.Adam(1e-3), loss="mse", **options)
    return {
        "forward": lambda: np.asarray(model.predict(x, batch_size=BATCH, verbose=0)),
        "train_step": lambda: float(np.asarray(model.train_on_batch(x, y)).ravel()[0]),
    }


def _child(warmup: int, repeats: int, layer: str, clock: str = "wall",
           jit_compile: str = "default") -> dict:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
    y = rng.standard_normal((BATCH, UNITS)).astype("float32")
    calls = {}
    for name in LIBRARIES:
        try:
            lib = __import__(name)
        except ImportError:
            continue
        calls[name] = _calls(lib, x, y, layer, jit_compile)
    times = {name: {what: [] for what in fns} for name, fns in calls.items()}
    for what in ("forward", "train_step"):
        for fns in calls.values():
            for _ in range(warmup):
                fns[what]()
        for _ in range(repeats):
            for name, fns in calls.items():  # alternate: both libraries see the same load
                start = _CLOCKS[clock]()
                fns[what]()
                times[name][what].append(_CLOCKS[clock]() - start)
    return {name: {what: {"median": statistics.median(t), "min": min(t)}
                   for what, t in by_what.items()} for name, by_what in times.items()}


def _run(backend: str, warmup: int, repeats: int, layer: str, clock: str,
         jit_compile: str) -> dict | None:
    env = dict(os.environ, KERASLITE_BACKEND=backend, KERAS_BACKEND=backend,
               TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [sys.executable, os.path.abspath(__file__), "--child",
           "--warmup", str(warmup), "--repeats", str(repeats), "--layer", layer,
           "--clock", clock, "--jit-compile", jit_compile]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    print(f"  {backend}: unavailable ({tail[0][:120]})", file=sys.stderr)
    return None


def _ratio(theirs: dict | None, ours: dict, what: str, stat: str) -> str:
    if theirs is None:
        return ""
    return f"{theirs[what][stat] / ours[what][stat]:.2f}x"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--layer", choices=LAYERS, default="LSTM",
                        help="the recurrent layer to time (default: LSTM)")
    parser.add_argument("--clock", choices=tuple(_CLOCKS), default="wall",
                        help="wall: elapsed time (default); cpu: the process's CPU time, "
                             "steadier on a shared machine")
    parser.add_argument("--jit-compile", choices=("default", "true", "false"),
                        default="default",
                        help="jit_compile= for keraslite's compile (default: its own choice)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = _child(args.warmup, args.repeats, args.layer, args.clock, args.jit_compile)
        print(RESULT_MARKER + json.dumps(result), flush=True)
        return

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {unknown}; choose from {list(BACKENDS)}")
    results = {}
    for backend in backends:
        print(f"running {backend} ...", file=sys.stderr, flush=True)
        results[backend] = _run(backend, args.warmup, args.repeats, args.layer, args.clock,
                                args.jit_compile)

    print(f"\n{args.layer}({UNITS}) on a ({BATCH}, {STEPS}, {FEATURES}) batch; "
          f"{args.repeats} alternating calls per library after {args.warmup} warm-up calls; "
          f"{args.clock} ms as median / min; keraslite jit_compile={args.jit_compile}; ratio = "
          "Keras time / keraslite time on the same backend (median / min), >1 means keraslite "
          "is faster")
    header = (f"{'runner':<22}{'forward ms':>16}{'train step ms':>18}{'fwd ratio':>16}"
              f"{'train ratio':>16}")
    print(header)
    print("-" * len(header))
    for backend in backends:
        r = results[backend]
        if r is None:
            print(f"{'*-' + backend:<22}{'n/a':>16}{'n/a':>18}")
            continue
        for name in LIBRARIES:
            if name not in r:
                print(f"{name + '-' + backend:<22}{'not installed':>16}")
                continue
            mine = r[name]
            cells = [f"{mine[w]['median'] * 1e3:.2f} / {mine[w]['min'] * 1e3:.2f}"
                     for w in ("forward", "train_step")]
            ratios = ["", ""]
            if name == "keraslite":
                theirs = r.get("keras")
                ratios = [f"{_ratio(theirs, mine, w, 'median')} / {_ratio(theirs, mine, w, 'min')}"
                          if theirs else "" for w in ("forward", "train_step")]
            print(f"{name + '-' + backend:<22}{cells[0]:>16}{cells[1]:>18}{ratios[0]:>16}"
                  f"{ratios[1]:>16}")


if __name__ == "__main__":
    main()
