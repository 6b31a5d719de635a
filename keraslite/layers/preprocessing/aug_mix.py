"""AugMix (Hendrycks et al., 2020): several chains of random augmentations, mixed with
Dirichlet weights and blended back into the original image."""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing import augment_ops
from keraslite.layers.preprocessing.augmentation_color import _factor, _value_range
# MixUp's traceable samplers: TensorFlow's own gamma op has no XLA kernel, so it cannot run
# inside a compiled training step.
from keraslite.layers.preprocessing.mix_up import _gamma, beta
from keraslite.layers.preprocessing.random_image import _RandomImageLayer


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise arg_utils.invalid("AugMix", name, "an int >= 1", value)
    return int(value)


class AugMix(_RandomImageLayer):
    """Runs ``num_chains`` chains of ``chain_depth`` steps; each step applies an op picked at
    random (once per batch) from the menu, or nothing. The chains are averaged with weights
    drawn from Dirichlet(``alpha``) and the result is blended with the input by a weight
    drawn from Beta(``alpha``, ``alpha``), then clipped to ``value_range``.

    Args:
        value_range: the range of the input pixels.
        num_chains, chain_depth: how many chains, and how many steps in each.
        factor: a number ``f`` (draws from ``[0, f]``) or a pair within [0, 1]: the
            strength of every op.
        alpha: the Dirichlet and Beta concentration (> 0).
        all_ops: the full menu (with brightness, color degeneration, contrast and
            sharpness, which may overlap a test set's corruptions) or the basic seven.
        interpolation: ``"bilinear"`` or ``"nearest"``, for the geometric ops.

    Example::

        aug = keraslite.layers.AugMix(value_range=(0, 1), num_chains=2, seed=0)
    """

    def __init__(self, value_range=(0, 255), num_chains: int = 3, chain_depth: int = 3,
                 factor=0.3, alpha: float = 1.0, all_ops: bool = True,
                 interpolation="bilinear", seed: Optional[int] = None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = _value_range("AugMix", value_range)
        self.num_chains = _positive_int("num_chains", num_chains)
        self.chain_depth = _positive_int("chain_depth", chain_depth)
        self.factor = _factor("AugMix", factor, (0.0, 1.0))
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or alpha <= 0:
            raise arg_utils.invalid("AugMix", "alpha", "a number > 0", alpha)
        self.alpha = float(alpha)
        if not isinstance(all_ops, bool):
            raise arg_utils.invalid("AugMix", "all_ops", "True or False", all_ops)
        self.all_ops = all_ops
        if interpolation not in ("bilinear", "nearest"):
            raise arg_utils.invalid("AugMix", "interpolation", "'bilinear' or 'nearest'",
                                    interpolation)
        self.interpolation = interpolation
        names = augment_ops.OP_NAMES if all_ops else augment_ops.BASIC_OPS
        self._ops = augment_ops.build_ops(names, self.factor, self.value_range, interpolation,
                                          self.seed)

    def random_transformation(self, batch, height, width) -> dict:
        seed = self.seed_generator
        gammas = _gamma(self.alpha, self.num_chains, seed)
        picks = kl_random.randint((self.num_chains, self.chain_depth), 0, len(self._ops) + 1,
                                  seed=seed)
        return {
            "chain_mixing_weights": ops.divide(gammas, ops.sum(gammas)),
            "weight_sample": beta(1, self.alpha, seed)[0],
            "picks": picks,
            "draws": [[[augment_ops.draw(op, batch, height, width) for op in self._ops]
                       for _ in range(self.chain_depth)] for _ in range(self.num_chains)],
        }

    def augment(self, x):
        batch, height, width = ops.shape(x)[0], int(x.shape[1]), int(x.shape[2])
        return self.transform(x, self.random_transformation(batch, height, width))

    def transform(self, images, transformation):
        weights = ops.cast(transformation["chain_mixing_weights"], images.dtype)
        mixed = ops.zeros_like(images)
        for c in range(self.num_chains):
            chain = images
            for d in range(self.chain_depth):
                # The last index (len of the menu) is "no op" for this step.
                chain = augment_ops.apply_chosen(self._ops, transformation["picks"][c, d], chain,
                                                 transformation["draws"][c][d],
                                                 with_identity=True)
            mixed = ops.add(mixed, ops.multiply(chain, weights[c]))
        keep = ops.cast(transformation["weight_sample"], images.dtype)
        out = ops.add(ops.multiply(keep, images), ops.multiply(ops.subtract(1.0, keep), mixed))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range),
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": list(self.factor), "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation}
