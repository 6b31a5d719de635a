"""Drawing VGG16's 138 million initial values into NumPy-allocated or system-mapped arrays.

NumPy asks the kernel for transparent huge pages on arrays of 4 MiB or more; where the kernel
compacts memory inside the page fault (``defrag`` set to ``madvise``, little free memory) the
same draws cost a varying amount of CPU time. ``keraslite.initializers.host_arrays`` maps large
arrays from the system instead. Each round allocates and fills VGG16's kernel shapes, then frees
them, as building a model after ``clear_session`` does; the two ways alternate::

    python benchmarks/host_alloc.py --rounds 4
"""
from __future__ import annotations

import argparse
import mmap
import resource
import time

import numpy as np

from keraslite.initializers.parallel_uniform import draw_scaled

# VGG16's weight sizes with the classifier: fc1, fc2, predictions, then the 3x3 convolutions.
SIZES = ([25088 * 4096, 4096 * 4096, 4096 * 1000] + [9 * 512 * 512] * 5 + [9 * 256 * 512]
         + [9 * 256 * 256] * 2 + [9 * 128 * 256, 9 * 128 * 128, 9 * 64 * 128, 9 * 64 * 64])


def numpy_array(n: int) -> np.ndarray:
    return np.empty(n, np.float32)


def mapped_array(n: int) -> np.ndarray:
    return np.frombuffer(mmap.mmap(-1, n * 4), np.float32)


def one_round(allocate, rng) -> tuple[float, float, int]:
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu, wall = time.process_time(), time.perf_counter()
    arrays = []
    for n in SIZES:
        arrays.append(allocate(n))
        draw_scaled(rng, arrays[-1], 0.01, -0.005)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu, wall, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for round_ in range(args.rounds):
        for name, allocate in (("numpy", numpy_array), ("mapped", mapped_array)):
            cpu, wall, faults = one_round(allocate, rng)
            print(f"round {round_}  {name:6s}  cpu {cpu:6.3f} s  wall {wall:6.3f} s  "
                  f"page faults {faults:7d}", flush=True)


if __name__ == "__main__":
    main()
