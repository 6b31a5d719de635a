"""StochasticDepth (Huang et al., 2016, "Deep networks with stochastic depth"): while training,
drops a residual branch for whole samples at a time."""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class StochasticDepth(Layer):
    """While training, each sample's input is zeroed with probability ``drop_path_rate`` and the
    kept samples are scaled by ``1 / (1 - drop_path_rate)`` (the expected value is unchanged).
    The identity at inference. Meant for the residual branch: ``x + StochasticDepth(r)(f(x))``.

    Unlike ``Dropout``, one decision covers all of a sample's values (the path is dropped), so
    a network of depth ``L`` trains as an ensemble of shallower ones.

    Args:
        drop_path_rate: probability of dropping a sample's path, in ``[0, 1)``.
        seed: int seed for reproducible masks.

    Example::

        y = keraslite.layers.StochasticDepth(0.1, seed=1)(np.ones((4, 8, 8, 3)), training=True)
    """

    def __init__(self, drop_path_rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        rate = drop_path_rate
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise arg_utils.invalid("StochasticDepth", "drop_path_rate", "a float in [0, 1)",
                                    rate)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise arg_utils.invalid("StochasticDepth", "seed", "an int or None", seed)
        self.drop_path_rate = float(rate)
        self.seed = None if seed is None else int(seed)
        self.seed_generator = None
        if self.drop_path_rate > 0:
            from keraslite.random import SeedGenerator

            self.seed_generator = SeedGenerator(self.seed)  # tracked by Layer.__setattr__
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.drop_path_rate == 0:
            return inputs
        from keraslite import random

        keep_prob = 1.0 - self.drop_path_rate
        # One uniform draw per sample, broadcast over the other axes: floor(keep + u) is 1
        # with probability keep_prob.
        shape = (ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
        draw = random.uniform(shape, dtype=inputs.dtype, seed=self.seed_generator)
        mask = ops.floor(ops.add(draw, keep_prob))
        return ops.multiply(ops.divide(inputs, keep_prob), mask)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate, "seed": self.seed}
