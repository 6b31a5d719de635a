"""Large uniform draws split over threads, bit for bit the values of one sequential draw.

Drawing the initial weights is most of the time to build a large model with ``weights=None``
(ResNet50: 25 million glorot-uniform values; VGG16: 138 million), and NumPy draws on one core.
A PCG64 generator can jump ahead (``advance``), and a float32 uniform value takes exactly half of
one 64-bit output (the other half is kept for the next value), so the draw splits into pieces
whose generators start where the sequential draw would be: each thread fills its piece, and the
values, and the generator's state afterwards, are exactly those of ``rng.random(n)``. NumPy
releases the GIL while it fills an array, so the pieces run in parallel (on the worker threads
of ``keraslite.utils.pending_arrays`` and the calling thread). A variable's own draw can also
be handed over before its pieces are written (``background=True``; see that module).

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

import numpy as np

from keraslite.initializers.host_arrays import aligned_empty
from keraslite.utils import pending_arrays

# Values drawn then scaled together: 256 KiB of float32, well inside a core's L2 cache.
_BLOCK = 1 << 16
# Below this many values a thread costs more than it saves.
_MIN_VALUES_PER_THREAD = 1 << 20
# A variable's draw of fewer values is made on the spot (a few tens of microseconds); larger
# ones are drawn by the workers in pieces of about this many values.
_MIN_BACKGROUND_VALUES = 1 << 15
_BACKGROUND_PIECE_VALUES = 1 << 20


def _threads(n: int) -> int:
    """How many pieces a draw made on the spot is split into."""
    if n < 2 * _MIN_VALUES_PER_THREAD:
        return 1
    return max(1, min(pending_arrays.worker_count(), n // _MIN_VALUES_PER_THREAD))


def uniform_float32(rng: np.random.Generator, shape: tuple[int, ...], scale: float,
                    offset: float, background: bool = False) -> np.ndarray:
    """``rng.random(shape, float32) * scale + offset`` (computed in float32, in place), the same
    values and the same generator state afterwards as that sequential expression.

    ``background=True`` (a variable's own initializer, see ``keraslite.utils.pending_arrays``):
    a draw of ``_MIN_BACKGROUND_VALUES`` or more returns at once, its values still being
    written by worker threads until ``pending_arrays.complete(array)``; the generator has
    already moved past it."""
    n = math.prod(shape)
    flat = aligned_empty((n,), np.float32)
    splittable = type(rng.bit_generator) is np.random.PCG64
    deferred = background and splittable and n >= _MIN_BACKGROUND_VALUES
    parts = max(1, n // _BACKGROUND_PIECE_VALUES) if deferred else _threads(n) if splittable else 1
    if parts < 2 and not deferred:
        draw_scaled(rng, flat, scale, offset)
        return flat.reshape(shape)
    start = 0
    if rng.bit_generator.state["has_uint32"]:
        # The first value is the half 64-bit output the generator kept from its last draw.
        draw_scaled(rng, flat[:1], scale, offset)
        start = 1
    # The last one or two values are drawn here, from a generator advanced to them: it then
    # holds exactly the state the sequential draw leaves (including any half output kept).
    tail = min(n - start, 2 if (n - start) % 2 == 0 else 1)
    pairs = (n - start - tail) // 2  # whole 64-bit outputs drawn by the pieces
    state = rng.bit_generator.state
    last = _advanced(state, pairs)
    draw_scaled(last, flat[n - tail:], scale, offset)
    bounds = [pairs * i // parts for i in range(parts + 1)]
    pieces = [pending_arrays.Piece(_piece_fill(flat, state, start, bounds[i], bounds[i + 1],
                                                 scale, offset))
              for i in range(parts) if bounds[i + 1] > bounds[i]]
    rng.bit_generator.state = last.bit_generator.state
    view = flat.reshape(shape)
    if deferred and pieces:
        pending_arrays.defer(view, pieces)
    else:
        pending_arrays.run_pieces(pieces)
    return view


def _advanced(state: dict, outputs: int) -> np.random.Generator:
    """A generator at ``state`` moved on by ``outputs`` 64-bit outputs."""
    bit_generator = np.random.PCG64()
    bit_generator.state = state
    bit_generator.advance(outputs)
    return np.random.Generator(bit_generator)


def _piece_fill(flat: np.ndarray, state: dict, start: int, begin: int, end: int, scale: float,
                offset: float):
    """The fill of values ``start + 2 * begin`` to ``start + 2 * end`` (64-bit outputs
    ``begin`` to ``end`` after ``state``). Holds ``flat`` (not the caller's view of it), so
    dropping the view cancels what is still queued."""
    def fill() -> None:
        draw_scaled(_advanced(state, begin), flat[start + 2 * begin:start + 2 * end], scale,
                    offset)
    return fill


def draw_scaled(rng: np.random.Generator, out: np.ndarray, scale: float, offset: float) -> None:
    """Fills the 1-D ``out`` with ``rng.random(len(out), float32) * scale + offset`` a block at a
    time: the generator continues from block to block, so the values and its state afterwards
    are those of one call."""
    for begin in range(0, len(out), _BLOCK):
        block = out[begin:begin + _BLOCK]
        rng.random(dtype=np.float32, out=block)
        block *= scale
        block += offset
