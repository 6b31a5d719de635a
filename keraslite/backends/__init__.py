"""Picks the backend package once, from KERASLITE_BACKEND (see keraslite.config).

Everything outside ``keraslite/backends`` reaches the backend only through the names
imported here: ``core``, ``numpy``, ``nn``, ``random``, ``compile``,
``linalg`` and ``distribution``. Both backend packages
expose the same modules with the same functions.
"""
from keraslite import config

if config.BACKEND == "jax":
    from keraslite.backends.jax import core, numpy, nn, random, compile  # noqa: F401
    from keraslite.backends.jax import image, linalg  # noqa: F401
    from keraslite.backends.jax import control, extra_math  # noqa: F401
    from keraslite.backends.jax import distribution  # noqa: F401
    from keraslite.backends.jax import rnn  # noqa: F401
else:
    from keraslite.backends.tensorflow import core, numpy, nn, random, compile  # noqa: F401
    from keraslite.backends.tensorflow import image, linalg  # noqa: F401
    from keraslite.backends.tensorflow import control, extra_math  # noqa: F401
    from keraslite.backends.tensorflow import distribution  # noqa: F401
    from keraslite.backends.tensorflow import rnn  # noqa: F401
