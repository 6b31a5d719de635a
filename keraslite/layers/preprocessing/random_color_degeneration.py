"""RandomColorDegeneration: blends each image towards its grayscale version."""
from __future__ import annotations

from typing import Optional

from keraslite import ops
from keraslite.layers.preprocessing.augmentation_color import (
    _GRAY_WEIGHTS, _ColorLayer, _factor, _value_range,
)


class RandomColorDegeneration(_ColorLayer):
    """Moves each image towards its luma by ``f`` drawn per image from ``factor``:
    ``x + f (gray(x) - x)``, clipped to ``value_range``. ``f = 1`` gives the grayscale image,
    0 leaves it; as in Keras a single number ``f`` draws from ``[-f, f]`` (negative values
    push colours away from gray) and a pair ``(lo, hi)`` within [-1, 1] from that range.

    Example::

        aug = keraslite.layers.RandomColorDegeneration((0.0, 0.8), seed=0)
        y = aug(images, training=True)
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomColorDegeneration", factor, (-1.0, 1.0))
        self.value_range = _value_range("RandomColorDegeneration", value_range)

    def random_transformation(self, batch):
        return {"factor": self._per_image(batch, self.factor[0], self.factor[1])}

    def transform(self, images, transformation):
        if images.shape[-1] != 3:
            raise ValueError(f"Layer '{self.name}' expects RGB images (3 channels). "
                             f"Received: shape={tuple(images.shape)}")
        weights = ops.convert_to_tensor(_GRAY_WEIGHTS, dtype=images.dtype)
        gray = ops.sum(ops.multiply(images, weights), axis=-1, keepdims=True)
        amount = ops.reshape(ops.cast(transformation["factor"], images.dtype), (-1, 1, 1, 1))
        out = ops.add(images, ops.multiply(amount, ops.subtract(gray, images)))
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}
