"""Noise layers: GaussianNoise, GaussianDropout and AlphaDropout (active only while training)."""
from __future__ import annotations

import math
import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


def _check_rate(layer_cls, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise arg_utils.invalid(layer_cls, "rate", "a float in [0, 1)", rate)
    return float(rate)


def _check_seed(layer_cls, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise arg_utils.invalid(layer_cls, "seed", "an int or None", seed)
    return None if seed is None else int(seed)


class _NoiseLayer(Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        from keraslite.random import SeedGenerator

        self.seed = _check_seed(type(self).__name__, seed)
        self.seed_generator = SeedGenerator(self.seed)  # tracked by Layer.__setattr__
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class GaussianNoise(_NoiseLayer):
    """Adds zero-mean Gaussian noise of standard deviation ``stddev`` while training.

    Example::

        y = keraslite.layers.GaussianNoise(0.1, seed=1)(np.zeros((2, 3)), training=True)
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or stddev < 0:
            raise arg_utils.invalid("GaussianNoise", "stddev", "a non-negative float", stddev)
        self.stddev = float(stddev)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        from keraslite import random

        noise = random.normal(ops.shape(inputs), mean=0.0, stddev=self.stddev,
                              dtype=inputs.dtype, seed=self.seed_generator)
        return ops.add(inputs, noise)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_NoiseLayer):
    """Multiplies the input by Gaussian noise of mean 1 and standard deviation
    ``sqrt(rate / (1 - rate))`` while training.

    Example::

        y = keraslite.layers.GaussianDropout(0.2, seed=1)(np.ones((2, 3)), training=True)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate("GaussianDropout", rate)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        from keraslite import random

        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random.normal(ops.shape(inputs), mean=1.0, stddev=stddev, dtype=inputs.dtype,
                              seed=self.seed_generator)
        return ops.multiply(inputs, noise)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_NoiseLayer):
    """Dropout for self-normalizing (SELU) networks: dropped units are set to SELU's negative
    saturation value and the result is affinely corrected so the mean and variance of the
    input are kept.

    Example::

        y = keraslite.layers.AlphaDropout(0.1, seed=1)(np.ones((2, 3)), training=True)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate("AlphaDropout", rate)
        if noise_shape is not None:
            try:
                noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
            except (TypeError, ValueError):
                raise arg_utils.invalid("AlphaDropout", "noise_shape",
                                        "a tuple of ints or None", noise_shape) from None
        self.noise_shape = noise_shape

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        from keraslite import random

        shape = ops.shape(inputs)
        if self.noise_shape is None:
            noise_shape = shape
        else:
            if len(self.noise_shape) != len(shape):
                raise ValueError(
                    f"Layer '{self.name}': noise_shape={self.noise_shape} must have one entry "
                    f"per input axis. Received: input shape={tuple(inputs.shape)}"
                )
            noise_shape = tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = ops.cast(ops.greater_equal(
            random.uniform(noise_shape, seed=self.seed_generator), self.rate), inputs.dtype)
        a = ((1.0 - self.rate) * (1.0 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = ops.add(ops.multiply(inputs, kept), ops.multiply(1.0 - kept, alpha_p))
        return ops.add(ops.multiply(x, a), b)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}
