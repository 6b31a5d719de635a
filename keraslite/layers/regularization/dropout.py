"""Dropout: zeroes a random fraction of its input while training, scaling the rest up."""
from __future__ import annotations

import numbers

from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class Dropout(Layer):
    """Sets each input unit to 0 with probability ``rate`` when ``training=True``; the kept units
    are multiplied by ``1 / (1 - rate)`` so the expected sum is unchanged. Identity otherwise.

    Args:
        rate: fraction of units to drop, in ``[0, 1)``.
        noise_shape: shape of the keep/drop mask, broadcast against the input (``None`` entries
            take the input's size), e.g. ``(batch, 1, features)`` to drop whole features.
        seed: int seed for reproducible masks.

    Example::

        y = keraslite.layers.Dropout(0.5, seed=1)(np.ones((2, 4)), training=True)
    """

    output_spec_from_shape = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise arg_utils.invalid(name, "rate", "a float in [0, 1)", rate)
        if noise_shape is not None:
            try:
                noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
            except (TypeError, ValueError):
                raise arg_utils.invalid(
                    name, "noise_shape", "a tuple of ints or None", noise_shape) from None
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise arg_utils.invalid(name, "seed", "an int or None", seed)
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True
        self.seed_generator = None
        if self.rate > 0:
            from keraslite.random import SeedGenerator

            self.seed_generator = SeedGenerator(seed)  # tracked by Layer.__setattr__

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        from keraslite import random

        return random.dropout(inputs, self.rate, noise_shape=self._checked_noise_shape(inputs),
                              seed=self.seed_generator)

    def _checked_noise_shape(self, inputs):
        """Checks the rank; ``random.dropout`` fills the ``None`` entries."""
        if self.noise_shape is not None and len(self.noise_shape) != len(inputs.shape):
            raise ValueError(
                f"Layer '{self.name}': noise_shape={self.noise_shape} must have one entry per "
                f"input axis. Received: input shape={tuple(inputs.shape)}"
            )
        return self.noise_shape

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
