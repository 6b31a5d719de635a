"""RandAugment (Cubuk et al., 2019): ``num_ops`` augmentations picked at random from a fixed
menu, applied one after another."""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing import augment_ops
from keraslite.layers.preprocessing.augmentation_color import _factor, _value_range
from keraslite.layers.preprocessing.random_image import _RandomImageLayer


class RandAugment(_RandomImageLayer):
    """Applies ``num_ops`` ops, each picked uniformly (once per batch) from shear,
    translation, rotation, brightness, color degeneration, contrast, sharpness,
    posterization, solarization, auto-contrast and equalization, every one built from
    keraslite's layer of that name with ``factor`` as its factor (Keras's menu).

    Args:
        value_range: the range of the input pixels.
        num_ops: how many ops to apply in turn.
        factor: a number ``f`` (draws from ``[0, f]``) or a pair within [0, 1]: the
            strength of every op.
        interpolation: ``"bilinear"`` or ``"nearest"``, for the geometric ops.

    Example::

        aug = keraslite.layers.RandAugment(value_range=(0, 1), num_ops=2, factor=0.5, seed=0)
    """

    def __init__(self, value_range=(0, 255), num_ops: int = 2, factor=0.5,
                 interpolation="bilinear", seed: Optional[int] = None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = _value_range("RandAugment", value_range)
        if isinstance(num_ops, bool) or not isinstance(num_ops, numbers.Integral) or \
                num_ops < 0:
            raise arg_utils.invalid("RandAugment", "num_ops", "an int >= 0", num_ops)
        self.num_ops = int(num_ops)
        self.factor = _factor("RandAugment", factor, (0.0, 1.0))
        if interpolation not in ("bilinear", "nearest"):
            raise arg_utils.invalid("RandAugment", "interpolation", "'bilinear' or 'nearest'",
                                    interpolation)
        self.interpolation = interpolation
        self._ops = augment_ops.build_ops(augment_ops.OP_NAMES, self.factor, self.value_range,
                                          interpolation, self.seed)

    def augment(self, x):
        if self.num_ops == 0:
            return x
        batch, height, width = ops.shape(x)[0], int(x.shape[1]), int(x.shape[2])
        picks = kl_random.randint((self.num_ops,), 0, len(self._ops), seed=self.seed_generator)
        draws = [augment_ops.draw(op, batch, height, width) for op in self._ops]
        for i in range(self.num_ops):
            x = augment_ops.apply_chosen(self._ops, picks[i], x, draws)
        return x

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range),
                "num_ops": self.num_ops, "factor": list(self.factor),
                "interpolation": self.interpolation}
