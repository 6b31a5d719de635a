"""Cost of the per-epoch host checkpoint that lets a failed compiled call keep the last good
weights (training/state.py), measured side by side with the checkpoint switched off.

    KERASLITE_BACKEND=jax python benchmarks/fit_failure_checkpoint.py [--units 1024]

Prints the median seconds per ``fit`` call (several short epochs) for both, alternating runs
so that machine load affects both alike.
"""
import argparse
import time

import numpy as np

import keraslite
from keraslite.training import state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    x = np.random.rand(256, 64).astype("float32")
    y = np.random.rand(256, 1).astype("float32")
    model = keraslite.Sequential([keraslite.Input((64,)),
                                  keraslite.layers.Dense(args.units, activation="relu"),
                                  keraslite.layers.Dense(args.units, activation="relu"),
                                  keraslite.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)  # compile
    original = state.StateHolder.checkpoint
    times = {"with checkpoint": [], "without": []}
    for _ in range(args.repeats):
        for label in times:
            state.StateHolder.checkpoint = original if label == "with checkpoint" else (
                lambda self: None)
            start = time.perf_counter()
            model.fit(x, y, epochs=args.epochs, batch_size=64, verbose=0)
            times[label].append(time.perf_counter() - start)
    state.StateHolder.checkpoint = original
    params = sum(int(np.prod(w.shape)) for w in model.get_weights())
    print(f"backend={keraslite.backend.backend()} params={params} (x3 with Adam slots) "
          f"epochs/fit={args.epochs}")
    for label, values in times.items():
        print(f"{label:16s} median {np.median(values):.4f} s per fit")


if __name__ == "__main__":
    main()
