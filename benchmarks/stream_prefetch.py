"""Streamed-data fit with and without the prefetch thread, per backend (A/B in one run).

    python benchmarks/stream_prefetch.py [--repeats 5] [--work io|cpu]

A generator yields MLP batches (784 -> 512 -> 512 -> 10, batch 128) after host-side work:
``io`` waits 2 ms per batch (reading it from storage), ``cpu`` computes NumPy preprocessing.
``steps_per_execution=8`` gives five blocks per epoch, so preparing block n + 1 can overlap
block n. "off" replaces the prefetch with a plain generator (what the JAX backend
uses, relying on JAX's asynchronous dispatch instead). Each configuration runs in its own
subprocess; the figure is the median samples/s of the timed fits.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
import numpy as np
import keraslite
import keraslite.training.feeders as feeders
from keraslite import layers
from keraslite.training.prefetch import prefetch

mode, repeats, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
feeders.prefetch = prefetch if mode == "on" else (lambda blocks, depth=1: blocks)
feeders.B_compile.DISPATCHES_ASYNC = False  # route every backend through the switch above
rng = np.random.RandomState(0)
X = rng.rand(128 * 40, 784).astype("float32")
Y = rng.randint(0, 10, 128 * 40)

def batches():
    while True:
        for i in range(40):
            x = X[i * 128:(i + 1) * 128]
            if work == "io":
                time.sleep(0.002)  # reading the batch from storage
            else:
                x = np.tanh(np.sin((x - x.mean(0)) / (x.std(0) + 1e-6)) * 2)
            yield x, Y[i * 128:(i + 1) * 128]

model = keraslite.Sequential([keraslite.Input((784,)), layers.Dense(512, activation="relu"),
                              layers.Dense(512, activation="relu"), layers.Dense(10)])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", steps_per_execution=8)
model.fit(batches(), steps_per_epoch=40, epochs=1, verbose=0)
rates = []
for _ in range(repeats):
    start = time.perf_counter()
    model.fit(batches(), steps_per_epoch=40, epochs=3, verbose=0)
    rates.append(3 * 40 * 128 / (time.perf_counter() - start))
print(json.dumps(rates))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", choices=("io", "cpu"), default="io")
    args = parser.parse_args()
    print("| backend | prefetch off | prefetch on | on / off |\n|---|---|---|---|")
    for backend in ("jax", "tensorflow"):
        medians = {}
        for mode in ("off", "on"):
            env = dict(os.environ, KERASLITE_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
            out = subprocess.run([sys.executable, "-c", CHILD, mode, str(args.repeats), args.work], env=env,
                                 capture_output=True, text=True, check=True).stdout
            medians[mode] = statistics.median(json.loads(out.strip().splitlines()[-1]))
        print(f"| {backend} | {medians['off']:,.0f} | {medians['on']:,.0f} | "
              f"{medians['on'] / medians['off']:.2f}x |")


if __name__ == "__main__":
    main()
