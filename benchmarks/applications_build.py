"""Build time of the applications with ``weights=None``: keraslite against Keras 3, per backend.

Each runner (library x backend) runs in its own subprocess, builds every model once to warm up
imports and tracing caches, then ``--repeats`` times; the figure is the median build time.
Keras runs with ``KERAS_BACKEND`` set, keraslite with ``KERASLITE_BACKEND``.

    python benchmarks/applications_build.py                      # all families, both backends
    python benchmarks/applications_build.py --models VGG16 ResNet50 --backends jax --repeats 1
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

MODELS = ["VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "MobileNetV2"]


def run_child(library: str, models: list, repeats: int) -> dict:
    if library == "keras":
        import keras

        apps, clear = keras.applications, keras.backend.clear_session
    else:
        import keraslite

        apps, clear = keraslite.applications, keraslite.backend.clear_session
    times = {}
    for name in models:
        if not hasattr(apps, name):
            continue
        samples = []
        for i in range(repeats + 1):  # the first build warms caches up and is not counted
            clear()
            start = time.perf_counter()
            model = getattr(apps, name)(weights=None)
            elapsed = time.perf_counter() - start
            if i:
                samples.append(elapsed)
            params = model.count_params()
            del model
        times[name] = {"seconds": statistics.median(samples), "params": params}
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child[0], args.models, args.repeats)))
        return
    results = {}
    for backend in args.backends:
        for library in ("keraslite", "keras"):
            env = {**os.environ, "KERAS_BACKEND": backend, "KERASLITE_BACKEND": backend,
                   "TF_CPP_MIN_LOG_LEVEL": "3"}
            proc = subprocess.run(
                [sys.executable, __file__, "--child", library, backend, "--repeats",
                 str(args.repeats), "--models", *args.models],
                capture_output=True, text=True, env=env)
            if proc.returncode:
                print(f"{library} on {backend} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            results[(library, backend)] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{'model':<12} {'backend':<11} {'params':>12} {'keraslite s':>12} {'keras s':>9} "
          f"{'speed-up':>9}")
    for backend in args.backends:
        ours, theirs = results.get(("keraslite", backend), {}), results.get(("keras", backend), {})
        for name in args.models:
            if name not in ours:
                continue
            a = ours[name]["seconds"]
            b = theirs.get(name, {}).get("seconds")
            ratio = f"{b / a:8.1f}x" if b else "      n/a"
            print(f"{name:<12} {backend:<11} {ours[name]['params']:>12,} {a:>12.2f} "
                  f"{(b or float('nan')):>9.2f} {ratio}")


if __name__ == "__main__":
    main()
