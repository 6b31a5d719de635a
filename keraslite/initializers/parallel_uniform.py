"""Large uniform draws split over threads, bit for bit the values of one sequential draw.

Drawing the initial weights is most of the time to build a large model with ``weights=None``
(ResNet50: 25 million glorot-uniform values; VGG16: 138 million), and NumPy draws on one core.
A PCG64 generator can jump ahead (``advance``), and a float32 uniform value takes exactly half of
one 64-bit output (the other half is kept for the next value), so the draw splits into pieces
whose generators start where the sequential draw would be: each thread fills its piece, and the
values, and the generator's state afterwards, are exactly those of ``rng.random(n)``. NumPy
releases the GIL while it fills an array, so the pieces run in parallel.

Each piece is drawn and scaled a block at a time, while the block is still in cache (one pass
over memory instead of three), into an aligned array the backend adopts without a copy
(``host_arrays``).

Compare one draw of 25 million values, sequential and split::

    python -m timeit -s "import numpy as np; r = np.random.default_rng(0)" \
        "r.random(25_000_000, dtype=np.float32)"
    python -m timeit -s "import numpy as np; r = np.random.default_rng(0)" \
        -s "from keraslite.initializers.parallel_uniform import uniform_float32" \
        "uniform_float32(r, (25_000_000,), 0.1, -0.05)"
"""
from __future__ import annotations

import math
import os
import threading

import numpy as np

from keraslite.initializers.host_arrays import aligned_empty

# Values drawn then scaled together: 256 KiB of float32, well inside a core's L2 cache.
_BLOCK = 1 << 16
# Below this many values a thread costs more than it saves.
_MIN_VALUES_PER_THREAD = 1 << 20
_MAX_THREADS = 8


def _threads(n: int) -> int:
    if n < 2 * _MIN_VALUES_PER_THREAD:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_THREADS, n // _MIN_VALUES_PER_THREAD))


def uniform_float32(rng: np.random.Generator, shape: tuple[int, ...], scale: float,
                    offset: float) -> np.ndarray:
    """``rng.random(shape, float32) * scale + offset`` (computed in float32, in place), the same
    values and the same generator state afterwards as that sequential expression."""
    n = math.prod(shape)
    flat = aligned_empty((n,), np.float32)
    parts = _threads(n) if type(rng.bit_generator) is np.random.PCG64 else 1
    if parts < 2:
        draw_scaled(rng, flat, scale, offset)
        return flat.reshape(shape)
    start = 0
    if rng.bit_generator.state["has_uint32"]:
        # The first value is the half 64-bit output the generator kept from its last draw.
        draw_scaled(rng, flat[:1], scale, offset)
        start = 1
    state = rng.bit_generator.state
    pairs = (n - start) // 2  # whole 64-bit outputs; an odd last value takes half of one more
    bounds = [pairs * i // parts for i in range(parts + 1)]
    generators = []
    for i in range(parts):
        bit_generator = np.random.PCG64()
        bit_generator.state = state
        bit_generator.advance(bounds[i])
        generators.append(np.random.Generator(bit_generator))
    errors: list[BaseException] = []

    def fill(i: int) -> None:
        try:
            piece = flat[start + 2 * bounds[i]:n if i == parts - 1 else start + 2 * bounds[i + 1]]
            draw_scaled(generators[i], piece, scale, offset)
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)

    threads = [threading.Thread(target=fill, args=(i,), daemon=True) for i in range(1, parts)]
    for thread in threads:
        thread.start()
    fill(0)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    # The last piece ends where the sequential draw ends (with any half output kept).
    rng.bit_generator.state = generators[-1].bit_generator.state
    return flat.reshape(shape)


def draw_scaled(rng: np.random.Generator, out: np.ndarray, scale: float, offset: float) -> None:
    """Fills the 1-D ``out`` with ``rng.random(len(out), float32) * scale + offset`` a block at a
    time: the generator continues from block to block, so the values and its state afterwards
    are those of one call."""
    for begin in range(0, len(out), _BLOCK):
        block = out[begin:begin + _BLOCK]
        rng.random(dtype=np.float32, out=block)
        block *= scale
        block += offset
