"""Host arrays that a backend can adopt as a variable's storage without copying them.

JAX's CPU client takes a NumPy array that starts on a 64-byte boundary as the device buffer
itself; any other array is copied into a fresh buffer. NumPy aligns its allocations to 16 bytes
only, so every initial weight was copied once more after being drawn: ResNet50's 100 MB, VGG16's
550 MB. Initializers fill arrays from ``aligned_empty``, so the draw is the only pass that writes
the weights. Compare (the second line prints True: the buffer is shared)::

    python -c "import numpy as np, jax, timeit; a = np.ones(25_000_000, np.float32); \
        print(timeit.timeit(lambda: jax.device_put(a).block_until_ready(), number=5) / 5)"
    python -c "import jax, timeit; from keraslite.initializers.host_arrays import aligned_empty; \
        a = aligned_empty((25_000_000,), 'float32'); a[:] = 1; b = jax.device_put(a); \
        print(b.unsafe_buffer_pointer() == a.ctypes.data, \
        timeit.timeit(lambda: jax.device_put(a).block_until_ready(), number=5) / 5)"

TensorFlow copies host arrays in any case; the alignment costs it nothing.

Arrays of 4 MiB or more are mapped from the operating system directly (anonymous ``mmap``,
page-aligned) rather than allocated by NumPy, which asks the kernel for transparent huge pages
at that size: on a machine short of free memory the kernel then compacts memory inside the page
fault, and VGG16's draws took 0.4 to 1.5 s of CPU time from one build to the next instead of a
steady 0.5 s with ordinary pages (``python benchmarks/host_alloc.py`` compares the two).
"""
from __future__ import annotations

import math
import mmap

import numpy as np

# The alignment XLA's CPU client (and Eigen) asks of a host buffer it adopts.
ALIGNMENT = 64
# Below this size copying costs less than aligning (about 10 us, a copy of 28 KB): smaller
# arrays are plain NumPy arrays.
ALIGNED_BYTES = 1 << 16
# NumPy advises huge pages from this size on (its NPY_HUGEPAGE threshold).
MAPPED_BYTES = 1 << 22


def aligned_empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialized C-ordered array of ``shape`` and ``dtype`` whose data starts on a
    64-byte boundary when it holds 64 KiB or more."""
    dtype = np.dtype(dtype)
    shape = tuple(int(d) for d in shape)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < ALIGNED_BYTES:
        return np.empty(shape, dtype)
    if nbytes >= MAPPED_BYTES:
        # The array keeps the mapping alive; it is unmapped when the last reference goes.
        return np.frombuffer(mmap.mmap(-1, nbytes), dtype).reshape(shape)
    raw = np.empty(nbytes + ALIGNMENT, np.uint8)
    # (__array_interface__ and one ndarray call: ctypes and view/reshape cost 10-20 us more)
    start = -raw.__array_interface__["data"][0] % ALIGNMENT
    return np.ndarray(shape, dtype, raw, start)


def aligned_full(shape: tuple[int, ...], value, dtype) -> np.ndarray:
    """``np.full(shape, value, dtype)`` in an aligned array."""
    out = aligned_empty(shape, dtype)
    out.fill(value)
    return out
