"""Where a small model's first ``fit`` spends its time: compilations, counted and timed.

Trains a Dense 32 -> 64 (relu) -> 10 MLP (1,000 samples, batch 32, validation_split=0.1,
3 epochs), then runs ``evaluate`` and ``predict``, and prints the wall time of each epoch and
call. On JAX it also lists every compilation (from JAX's own compile log: tracing, lowering to
MLIR, XLA compilation), grouped by function; on TensorFlow it counts how often each compiled
function's Python code was traced and times its first call (tracing + XLA + one run).

    KERASLITE_BACKEND=jax python benchmarks/first_fit_compile_time.py
    KERASLITE_BACKEND=tensorflow python benchmarks/first_fit_compile_time.py
    # the persistent compilation cache: run twice, the second run reads the cache
    python benchmarks/first_fit_compile_time.py --cache /tmp/keraslite-cache
"""
from __future__ import annotations

import argparse
import collections
import logging
import os
import re
import time

import numpy as np


def _jax_compile_log():
    """Collects JAX's compile log lines: {function: [count, trace s, lower s, compile s]}."""
    import jax

    jax.config.update("jax_log_compiles", True)
    stats = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    patterns = (
        (re.compile(r"Finished tracing \+ transforming (\S+) .* in ([\d.e-]+) sec"), 1),
        (re.compile(r"Finished tracing (\S+) for jit in ([\d.e-]+) sec"), 1),
        (re.compile(r"Finished jaxpr to MLIR module conversion jit\((\S+)\) in ([\d.e-]+)"), 2),
        (re.compile(r"Finished XLA compilation of jit\((\S+)\) in ([\d.e-]+) sec"), 3),
    )

    class Handler(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            for pattern, column in patterns:
                match = pattern.search(message)
                if match:
                    entry = stats[match.group(1)]
                    entry[column] += float(match.group(2))
                    entry[0] += column == 3
                    return

    logger = logging.getLogger("jax")
    logger.addHandler(Handler())
    logger.propagate = False  # keep the log itself off the terminal
    return stats


def _tf_trace_counter():
    """Counts traces and first-call time of each function compiled by the TF backend."""
    from keraslite.backends.tensorflow import compile as tf_compile

    stats = collections.OrderedDict()
    original = tf_compile.compile_function

    def compile_function(fn, jit_compile="auto", donate_argnums=()):
        name = f"{getattr(fn, '__name__', 'fn')}#{len(stats)}"
        stats[name] = [0, None]

        def traced(*args):
            stats[name][0] += 1  # runs only while tf.function traces
            return fn(*args)

        compiled = original(traced, jit_compile, donate_argnums)
        call_relaxed = compiled.call_relaxed

        def timed(args, relax):
            started = time.perf_counter()
            out = call_relaxed(args, relax)
            if stats[name][1] is None:
                stats[name][1] = time.perf_counter() - started
            return out

        compiled.call_relaxed = timed
        return compiled

    tf_compile.compile_function = compile_function
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=None, help="persistent compilation cache directory")
    args = parser.parse_args()
    started = time.perf_counter()
    import keraslite

    backend = keraslite.backend.backend()
    if args.cache:
        keraslite.config.enable_compilation_cache(args.cache)
    stats = _jax_compile_log() if backend == "jax" else _tf_trace_counter()
    imported = time.perf_counter()

    epoch_times = []

    class EpochTimer(keraslite.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_times.append(time.perf_counter() - self.started)

    rng = np.random.default_rng(0)
    x = rng.random((1000, 32), dtype="float32")
    y = rng.integers(0, 10, 1000)
    model = keraslite.Sequential([
        keraslite.Input(shape=(32,)),
        keraslite.layers.Dense(64, activation="relu"),
        keraslite.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    built = time.perf_counter()
    model.fit(x, y, epochs=3, batch_size=32, validation_split=0.1, verbose=0,
              callbacks=[EpochTimer()])
    fitted = time.perf_counter()
    model.evaluate(x, y, verbose=0)
    evaluated = time.perf_counter()
    model.predict(x, verbose=0)
    predicted = time.perf_counter()

    print(f"backend {backend}, cache {keraslite.config.compilation_cache_dir()}")
    print(f"import (backend included) {imported - started:.2f}s, "
          f"build + compile {built - imported:.2f}s")
    print(f"fit {fitted - built:.2f}s: epochs " + ", ".join(f"{t:.3f}s" for t in epoch_times))
    print(f"evaluate {evaluated - fitted:.2f}s, predict {predicted - evaluated:.2f}s")
    if backend == "jax":
        print(f"{'function':<28} {'compiles':>8} {'trace s':>8} {'lower s':>8} {'xla s':>8}")
        rows = sorted(stats.items(), key=lambda kv: -(kv[1][1] + kv[1][2] + kv[1][3]))
        for name, (count, trace, lower, xla) in rows:
            print(f"{name:<28} {count:>8} {trace:>8.3f} {lower:>8.3f} {xla:>8.3f}")
        total = [sum(v[i] for v in stats.values()) for i in range(4)]
        print(f"{'total':<28} {total[0]:>8} {total[1]:>8.3f} {total[2]:>8.3f} {total[3]:>8.3f}")
    else:
        print(f"{'function':<28} {'traces':>8} {'first call s':>12}")
        for name, (count, first) in stats.items():
            print(f"{name:<28} {count:>8} {first if first is not None else float('nan'):>12.3f}")


if __name__ == "__main__":
    os.environ.setdefault("KERASLITE_BACKEND", "jax")
    main()
