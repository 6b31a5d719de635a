"""Transposed-convolution training speed: keraslite vs Keras 3, per epoch.

Models (``--models``), both mapping a 16x16x8 input to a 64x64x8 output, MSE against a fixed
random target, Adam:

- ``convt``: Conv2DTranspose(16, 3, strides=2, "same", relu) -> Conv2DTranspose(8, 3, strides=2,
  "same");
- ``upconv``: the same shapes with UpSampling2D(2) + Conv2D(16, 3, "same", relu) ->
  UpSampling2D(2) + Conv2D(8, 3, "same"), as a yardstick of what ordinary convolutions cost.

Each runner trains in its own subprocess (a backend is chosen once, at import) on the same data
(fixed seed): one warm-up epoch (compilation excluded), then ``--repeats`` timed one-epoch
``fit`` calls. ``--rounds`` runs the runners that many times, alternating, so that load from
other processes on a shared machine falls on all of them; the table shows the minimum and the
median epoch time over all rounds, and the Keras / keraslite ratio of each (above 1 means
keraslite is faster).

    python benchmarks/conv_transpose_throughput.py
    python benchmarks/conv_transpose_throughput.py --rounds 3 --repeats 3 --models convt
    python benchmarks/conv_transpose_throughput.py --runners keraslite-tf,keras-tf

This is a benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

RESULT_MARKER = "CONV_TRANSPOSE_THROUGHPUT_RESULT "
INPUT_SHAPE, OUTPUT_SHAPE = (16, 16, 8), (64, 64, 8)
MODELS = {
    "convt": "Conv2DTranspose 16 3x3 s2 relu -> Conv2DTranspose 8 3x3 s2",
    "upconv": "UpSampling2D 2 + Conv2D 16 3x3 relu -> UpSampling2D 2 + Conv2D 8 3x3",
}
# runner -> (library, backend)
RUNNERS = {
    "keraslite-jax": ("keraslite", "jax"),
    "keras-jax": ("keras", "jax"),
    "keraslite-tf": ("keraslite", "tensorflow"),
    "keras-tf": ("keras", "tensorflow"),
}


def build(lib, model_name: str):
    layers = lib.layers
    if model_name == "convt":
        stack = [layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
                 layers.Conv2DTranspose(8, 3, strides=2, padding="same")]
    elif model_name == "upconv":
        stack = [layers.UpSampling2D(2), layers.Conv2D(16, 3, padding="same", activation="relu"),
                 layers.UpSampling2D(2), layers.Conv2D(8, 3, padding="same")]
    else:
        raise ValueError(f"unknown model {model_name!r}")
    return lib.Sequential([lib.Input(INPUT_SHAPE)] + stack)


def child(library: str, model_names, samples: int, batch_size: int, repeats: int) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    lib = __import__(library)
    rng = np.random.RandomState(1234)
    x = rng.standard_normal((samples,) + INPUT_SHAPE).astype("float32")
    y = rng.standard_normal((samples,) + OUTPUT_SHAPE).astype("float32")
    results = {}
    for name in model_names:
        try:
            lib.utils.set_random_seed(0)
            model = build(lib, name)
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up: compiles
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
                times.append(time.perf_counter() - start)
            results[name] = {"epoch_s": times}
        except Exception as err:  # report and go on with the next model
            results[name] = {"error": f"{type(err).__name__}: {err}"[:300]}
    return {"version": getattr(lib, "__version__", "?"), "results": results}


def spawn(runner: str, args) -> dict:
    library, backend = RUNNERS[runner]
    env = dict(os.environ, KERASLITE_BACKEND=backend, KERAS_BACKEND=backend,
               TF_CPP_MIN_LOG_LEVEL="3")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo, env.get("PYTHONPATH")]))
    cmd = [sys.executable, os.path.abspath(__file__), "--child", library,
           "--models", ",".join(args.models), "--samples", str(args.samples),
           "--batch-size", str(args.batch_size), "--repeats", str(args.repeats)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout}s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:] or ["no output"]
    return {"error": f"exit {proc.returncode}: " + " | ".join(tail)[:300]}


def print_table(times, errors, args) -> None:
    print(f"\nseconds per epoch ({args.samples} samples, batch {args.batch_size}; "
          f"{args.rounds} round(s) x {args.repeats} epoch(s) per runner; lower is better)")
    header = f"{'model':<8}{'runner':<16}{'min s':>9}{'median s':>10}{'n':>4}"
    print(header + f"{'keras/keraslite min':>21}{'median':>9}")
    print("-" * (len(header) + 30))
    for model in args.models:
        for runner in args.runners:
            ts = times[runner].get(model)
            if not ts:
                print(f"{model:<8}{runner:<16}  {errors[runner].get(model, 'no result')}")
                continue
            row = f"{model:<8}{runner:<16}{min(ts):>9.3f}{statistics.median(ts):>10.3f}{len(ts):>4}"
            library, backend = RUNNERS[runner]
            theirs = times.get(f"keras-{'jax' if backend == 'jax' else 'tf'}", {}).get(model)
            if library == "keraslite" and theirs:
                row += (f"{min(theirs) / min(ts):>20.2f}x"
                        f"{statistics.median(theirs) / statistics.median(ts):>8.2f}x")
            print(row)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="convt,upconv",
                        help=f"comma-separated subset of: {', '.join(MODELS)}")
    parser.add_argument("--runners", default="keraslite-jax,keras-jax",
                        help=f"comma-separated subset of: {', '.join(RUNNERS)}")
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per subprocess")
    parser.add_argument("--rounds", type=int, default=2, help="subprocesses per runner")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per subprocess")
    parser.add_argument("--child", choices=["keraslite", "keras"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.models = [m for m in args.models.split(",") if m]
    args.runners = [r for r in args.runners.split(",") if r]
    for m in args.models:
        if m not in MODELS:
            parser.error(f"unknown model {m!r}; choose from {', '.join(MODELS)}")
    for r in args.runners:
        if r not in RUNNERS:
            parser.error(f"unknown runner {r!r}; choose from {', '.join(RUNNERS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        result = child(args.child, args.models, args.samples, args.batch_size, args.repeats)
        print(RESULT_MARKER + json.dumps(result), flush=True)
        return 0
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    for m in args.models:
        print(f"  {m}: {MODELS[m]}")
    times = {r: {} for r in args.runners}
    errors = {r: {} for r in args.runners}
    for round_index in range(args.rounds):
        for runner in args.runners:
            print(f"round {round_index + 1}: {runner} ...", flush=True)
            payload = spawn(runner, args)
            if "error" in payload:
                for m in args.models:
                    errors[runner][m] = payload["error"]
                continue
            for m, entry in payload["results"].items():
                if "error" in entry:
                    errors[runner][m] = entry["error"]
                else:
                    times[runner].setdefault(m, []).extend(entry["epoch_s"])
    print_table(times, errors, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
