"""The applications side by side with Keras 3: build time, predict throughput, a training step.

Each runner (library x backend) runs in its own subprocess with the same backend for both
libraries (``KERASLITE_BACKEND`` for keraslite, ``KERAS_BACKEND`` for Keras), and reports:

- ``build``: seconds to build each family with ``weights=None`` (every family keraslite has, read
  from ``keraslite.applications.__all__``; a family Keras lacks, such as AlexNet, is reported for
  keraslite only). One build warms imports and caches up and is not counted; the figure is the
  median of ``--repeats`` builds. ``build+read``: a build then one read of every weight as a
  NumPy array, so the initial values exist (keraslite returns from a build while worker
  threads still draw its large initial weights; the first read of a weight waits for it).
- ``predict``: images per second of ``model.predict`` at ``--batch`` (32) and ``--size`` (224),
  for VGG16, ResNet50 and MobileNetV2 (``--throughput-families``); one warm-up call compiles,
  then the median of ``--repeats`` calls over ``--batches`` batches.
- ``train step``: seconds of one fine-tuning step, ``train_on_batch`` on one batch (Adam, sparse
  categorical cross-entropy) after a warm-up step that compiles; median of ``--repeats``.

Ratios are Keras time / keraslite time (throughput: keraslite / Keras): above 1, keraslite is
faster. Compare ratios within one run: absolute figures depend on the machine and its load.

    python benchmarks/applications.py                                # everything, both backends
    python benchmarks/applications.py --quick                        # seconds-to-minutes check
    python benchmarks/applications.py --families VGG16 ResNet50 --backends jax --repeats 2
    python benchmarks/applications.py --tasks build --json results.json
    python benchmarks/applications.py --tasks train --interleave --backends tensorflow

``--interleave`` runs predict and train for both libraries in one process per backend, their
timed calls alternating, so both see the same machine load (separate processes, the default,
gave ratios 5-15% apart from run to run on a shared 2-core machine).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import traceback

TASKS = ("build", "predict", "train")
THROUGHPUT_FAMILIES = ["VGG16", "ResNet50", "MobileNetV2"]
# --quick checks every code path (a family Keras lacks, one it has, the throughput tasks).
QUICK_FAMILIES = ["AlexNet", "MobileNetV2"]


def _library(name: str):
    """The applications module, clear_session and the module root of one library."""
    if name == "keras":
        import keras

        return keras.applications, keras.backend.clear_session, keras
    import keraslite

    return keraslite.applications, keraslite.backend.clear_session, keraslite


def _median_seconds(fn, repeats: int, setup=None) -> float:
    """Median wall time of ``fn()``; ``setup()`` runs before each call, untimed."""
    fn()  # warm-up: imports, tracing and compilation are not counted
    samples = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _build(apps, clear, name: str, repeats: int) -> dict:
    """Seconds to build (``seconds``), and to build then read every weight once as a NumPy
    array (``ready_seconds``: the values exist; keraslite draws large initial weights on
    worker threads while the model is built, and a read waits for them)."""
    import numpy as np

    params, ready = [], []

    def build():
        model = getattr(apps, name)(weights=None)
        params.append(model.count_params())
        return model

    def build_and_read():
        start = time.perf_counter()
        model = build()
        for weight in model.weights:
            np.asarray(weight)
        ready.append(time.perf_counter() - start)

    # clear_session (a full garbage collection in both libraries) is not part of a build.
    seconds = _median_seconds(build, repeats, setup=clear)
    clear()
    for _ in range(repeats):
        build_and_read()
        clear()
    return {"seconds": seconds, "ready_seconds": statistics.median(ready),
            "params": params[-1]}


def _throughput_calls(apps, lib, name: str, args, tasks: list) -> dict:
    """``{task: (call, images per call)}`` for one family's model."""
    import numpy as np

    model = getattr(apps, name)(weights=None, input_shape=(args.size, args.size, 3))
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (args.batch * args.batches, args.size, args.size, 3))
    x = x.astype("float32")
    calls = {}
    if "predict" in tasks:
        calls["predict"] = (lambda: model.predict(x, batch_size=args.batch, verbose=0), len(x))
    if "train" in tasks:
        model.compile(optimizer=lib.optimizers.Adam(1e-4),
                      loss="sparse_categorical_crossentropy")
        xb = x[:args.batch]
        yb = rng.integers(0, model.output_shape[-1], (args.batch,))
        calls["train"] = (lambda: model.train_on_batch(xb, yb), args.batch)
    return calls


def _figures(task: str, seconds: float, images: int) -> dict:
    if task == "predict":
        return {"images_per_s": images / seconds, "seconds": seconds}
    return {"seconds": seconds}


def _throughput(apps, clear, lib, name: str, args, tasks: list) -> dict:
    clear()
    calls = _throughput_calls(apps, lib, name, args, tasks)
    out = {task: _figures(task, _median_seconds(call, args.repeats), images)
           for task, (call, images) in calls.items()}
    clear()
    return out


def run_interleaved(args) -> dict:
    """predict and train with both libraries in one process, their timed calls alternating
    (keraslite, Keras, keraslite, ...): both see the same machine load, where one process
    after the other compares two loads (5-15% apart on a shared machine)."""
    libraries = {name: _library(name) for name in ("keraslite", "keras")}
    results = {name: {"build": {}, "predict": {}, "train": {}, "errors": {}}
               for name in libraries}
    wanted = [t for t in ("predict", "train") if t in args.tasks]
    for name in args.throughput_families:
        try:
            calls = {lib: _throughput_calls(apps, module, name, args, wanted)
                     for lib, (apps, _, module) in libraries.items() if hasattr(apps, name)}
            for task in wanted:
                samples = {lib: [] for lib in calls}
                for lib in calls:
                    calls[lib][task][0]()  # warm-up: tracing and compilation
                for _ in range(args.repeats):
                    for lib in calls:
                        start = time.perf_counter()
                        calls[lib][task][0]()
                        samples[lib].append(time.perf_counter() - start)
                for lib in calls:
                    results[lib][task][name] = _figures(task, statistics.median(samples[lib]),
                                                        calls[lib][task][1])
        except Exception as error:
            results["keraslite"]["errors"][f"throughput {name}"] = _describe(error)
        for _, clear, _ in libraries.values():
            clear()
    return results


def run_child(library: str, args) -> dict:
    apps, clear, lib = _library(library)
    results = {"build": {}, "predict": {}, "train": {}, "errors": {}}
    for name in args.families:
        if "build" not in args.tasks or not hasattr(apps, name):
            continue
        try:
            results["build"][name] = _build(apps, clear, name, args.repeats)
        except Exception as error:  # one family failing must not lose the others' figures
            results["errors"][f"build {name}"] = _describe(error)
    wanted = [t for t in ("predict", "train") if t in args.tasks]
    for name in args.throughput_families if wanted else []:
        if not hasattr(apps, name):
            continue
        try:
            for task, value in _throughput(apps, clear, lib, name, args, wanted).items():
                results[task][name] = value
        except Exception as error:
            results["errors"][f"throughput {name}"] = _describe(error)
    return results


def _describe(error: Exception) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()[-500:]


def list_families(backend: str) -> list:
    """The model functions keraslite.applications exports (its module names are lowercase)."""
    code = ("import json, keraslite.applications as a; "
            "print(json.dumps([n for n in a.__all__ if n[:1].isupper()]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=_env(backend))
    if proc.returncode:
        raise SystemExit(f"could not list keraslite's applications:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env(backend: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "KERAS_BACKEND": backend, "KERASLITE_BACKEND": backend,
            "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path}


def _child_argv(args, library: str) -> list:
    return [sys.executable, os.path.abspath(__file__), "--child", library,
            "--repeats", str(args.repeats), "--size", str(args.size), "--batch", str(args.batch),
            "--batches", str(args.batches), "--tasks", *args.tasks,
            "--families", *args.families, "--throughput-families", *args.throughput_families]


def _ratio(ours, theirs, higher_is_better: bool = False) -> str:
    if ours is None or theirs is None:
        return "n/a"
    return f"{(ours / theirs if higher_is_better else theirs / ours):.2f}x"


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: dict, args) -> None:
    print(f"\n{'task':<11} {'family':<18} {'backend':<11} {'keraslite':>11} {'keras':>11} "
          f"{'ratio':>8}  {'unit':<10} {'params':>12}")
    rows = [("build", args.families, "seconds", "s"),
            ("build", args.families, "ready_seconds", "s (+read)"),
            ("predict", args.throughput_families, "images_per_s", "images/s"),
            ("train", args.throughput_families, "seconds", "s/step")]
    for task, families, key, unit in rows:
        if task not in args.tasks:
            continue
        for backend in args.backends:
            ours_all = results.get(("keraslite", backend), {}).get(task, {})
            theirs_all = results.get(("keras", backend), {}).get(task, {})
            for name in families:
                ours = ours_all.get(name, {}).get(key)
                theirs = theirs_all.get(name, {}).get(key)
                if ours is None and theirs is None:
                    continue
                spec = ".1f" if key == "images_per_s" else ".3f"
                params = (ours_all.get(name) or theirs_all.get(name) or {}).get("params")
                label = "build+read" if key == "ready_seconds" else task
                print(f"{label:<11} {name:<18} {backend:<11} {_fmt(ours, spec):>11} "
                      f"{_fmt(theirs, spec):>11} "
                      f"{_ratio(ours, theirs, key == 'images_per_s'):>8}  {unit:<10} "
                      f"{_fmt(params, ','):>12}")
    for (library, backend), result in sorted(results.items()):
        for what, message in result.get("errors", {}).items():
            print(f"error: {library} on {backend}, {what}: {message}", file=sys.stderr)


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=None,
                        help="families to build (default: all of keraslite.applications)")
    parser.add_argument("--throughput-families", nargs="+", default=THROUGHPUT_FAMILIES)
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"],
                        choices=["jax", "tensorflow"])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=224, help="image side for predict/train")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--batches", type=int, default=4, help="batches per predict call")
    parser.add_argument("--quick", action="store_true",
                        help=f"1 repeat, {', '.join(QUICK_FAMILIES)} (MobileNetV2 for predict "
                             "and train), 64x64 images, batch 8: checks the script, not a "
                             "measurement")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--interleave", action="store_true",
                        help="predict and train: both libraries in one process per backend, "
                             "timed calls alternating (steadier ratios on a shared machine)")
    parser.add_argument("--child", choices=["keraslite", "keras", "both"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats should be at least 1, received {args.repeats}")
    if args.child == "both":
        print(json.dumps(run_interleaved(args)))
        return
    if args.child:
        print(json.dumps(run_child(args.child, args)))
        return
    if args.quick:
        args.repeats, args.size, args.batch, args.batches = 1, 64, 8, 2
        args.families = args.families or QUICK_FAMILIES
        args.throughput_families = ["MobileNetV2"]
    args.families = args.families or list_families(args.backends[0])
    results = {}
    for backend in args.backends:
        runs = [(library, args) for library in ("keraslite", "keras")]
        if args.interleave:
            separate = [t for t in args.tasks if t == "build"]
            runs = ([(library, argparse.Namespace(**{**vars(args), "tasks": separate}))
                     for library in ("keraslite", "keras")] if separate else [])
            runs.append(("both", args))
        for library, run_args in runs:
            start = time.perf_counter()
            proc = subprocess.run(_child_argv(run_args, library), capture_output=True,
                                  text=True, env=_env(backend))
            if proc.returncode:
                print(f"{library} on {backend} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            found = json.loads(proc.stdout.strip().splitlines()[-1])
            for lib, result in (found.items() if library == "both" else [(library, found)]):
                merged = results.setdefault((lib, backend), {})
                for key, value in result.items():
                    merged.setdefault(key, {}).update(value)
            print(f"{library} on {backend}: done in {time.perf_counter() - start:.0f}s",
                  file=sys.stderr)
    if args.quick:
        print(f"--quick: {args.size}x{args.size} images, batch {args.batch}, 1 repeat; "
              "not a measurement")
    print_table(results, args)
    if args.json:
        data = {f"{lib}-{backend}": r for (lib, backend), r in results.items()}
        tmp = f"{args.json}.tmp-{os.getpid()}"
        with open(tmp, "w") as f:  # written whole, then renamed: never a half-written file
            json.dump(data, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
