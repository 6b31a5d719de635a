"""SeedGenerator: random state kept in a Variable, so random layers stay pure under tracing."""
from __future__ import annotations

import numpy as np

from keraslite.random import seeding
from keraslite.utils import naming

_MASK = 0xFFFFFFFF


def _seed_words(seed: int) -> np.ndarray:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"A seed must be an int or None. Received: seed={seed!r}")
    seed = int(seed)
    return np.array([seed & _MASK, (seed >> 32) & _MASK], dtype="uint32")


class SeedGenerator:
    """Hands out a fresh ``uint32[2]`` seed per random draw and advances its ``state``.

    ``state`` is a non-trainable ``Variable``; ``next()`` returns the current state and assigns
    the following one, so inside a traced pure step (a ``StatelessScope``) the state is an input
    and its update an output, like any other variable.

    Example::

        gen = keraslite.random.SeedGenerator(42)
        a = keraslite.random.normal((2,), seed=gen)
        b = keraslite.random.normal((2,), seed=gen)   # different numbers from a
    """

    def __init__(self, seed=None, name=None, **kwargs):
        from keraslite.variables import Variable

        if seed is None:
            seed = int(seeding.numpy_rng().integers(0, 2**63 - 1))
        self._initial_seed = seed
        self.name = name or naming.unique_name("seed_generator")
        self.state = Variable(_seed_words(seed), shape=(2,), dtype="uint32", trainable=False,
                              name="seed_generator_state")

    def next(self, ordered=True):
        """The seed for one draw; advances ``state``."""
        from keraslite import ops

        seed = self.state.value
        self.state.assign(ops.add(seed, np.array([0, 1], dtype="uint32")))
        return seed

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name}>"


_global = {"generator": None}


def global_seed_generator() -> SeedGenerator:
    """The generator used by random ops called with ``seed=None`` (created on first use)."""
    if _global["generator"] is None:
        _global["generator"] = SeedGenerator(name="global_seed_generator")
    return _global["generator"]


def reset_global_seed_generator() -> None:
    _global["generator"] = None


def draw_seed(seed):
    """A ``uint32[2]`` seed for one draw from an int, a SeedGenerator, ``None`` or a seed tensor."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return global_seed_generator().next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return _seed_words(seed)
    if getattr(seed, "shape", None) is not None and tuple(seed.shape) == (2,):
        return seed
    raise TypeError(
        "seed must be an int, a keraslite.random.SeedGenerator, None, or a uint32 tensor of shape "
        f"(2,). Received: seed={seed!r}"
    )
