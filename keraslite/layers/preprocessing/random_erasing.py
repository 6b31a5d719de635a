"""RandomErasing (Zhong et al., 2017): a random rectangle of each image is replaced by noise
or a constant."""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing.augmentation_color import _ColorLayer, _factor, _value_range


class RandomErasing(_ColorLayer):
    """Erases a box of each image with probability drawn per image from ``factor``.

    Each side of the box is ``sqrt(s)`` of the image's side, ``s`` drawn per side from
    ``scale``, so the erased share of the area lies within ``scale``. The box is filled with
    ``fill_value`` (a number, or one per channel), or when it is None with Gaussian noise
    scaled by ``value_range[1]``; the fill is clipped to ``value_range``.

    Example::

        aug = keraslite.layers.RandomErasing(factor=0.5, scale=(0.05, 0.2), seed=0)
        y = aug(images, training=True)
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed: Optional[int] = None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomErasing", factor, (0.0, 1.0))
        self.scale = _factor("RandomErasing", scale, (0.0, 1.0), "scale")
        self.value_range = _value_range("RandomErasing", value_range)
        what = "None, a number or a list of one number per channel"
        if isinstance(fill_value, bool):
            raise arg_utils.invalid("RandomErasing", "fill_value", what, fill_value)
        if fill_value is not None and not isinstance(fill_value, numbers.Real):
            try:
                fill_value = [float(v) for v in fill_value]
            except (TypeError, ValueError):
                raise arg_utils.invalid("RandomErasing", "fill_value", what,
                                        fill_value) from None
        self.fill_value = float(fill_value) if isinstance(fill_value, numbers.Real) else \
            fill_value

    def augment(self, x):
        batch, height, width = ops.shape(x)[0], int(x.shape[1]), int(x.shape[2])
        return self.transform(x, self.random_transformation(batch, height, width, x))

    def random_transformation(self, batch, height=1, width=1, images=None):
        seed = self.seed_generator
        sides = ops.sqrt(kl_random.uniform((batch, 2), self.scale[0], self.scale[1], seed=seed))

        def bounds(length, ratio):
            size = ops.multiply(ratio, float(length))
            start = ops.multiply(kl_random.uniform((batch,), seed=seed),
                                 ops.subtract(float(length), size))
            return start, ops.add(start, size)

        x0, x1 = bounds(width, sides[:, 0])
        y0, y1 = bounds(height, sides[:, 1])
        probability = self._uniform(batch, self.factor[0], self.factor[1])
        apply = ops.less(self._uniform(batch, 0.0, 1.0), probability)
        out = {"apply_erasing": apply, "box": ops.stack([x0, x1, y0, y1], axis=1)}
        if self.fill_value is None and images is not None:
            out["fill_value"] = ops.multiply(
                kl_random.normal(ops.shape(images), seed=seed), self.value_range[1])
        return out

    def _mask(self, box, height, width):
        """(B, H, W, 1): True inside each image's box (pixel indices as coordinates)."""
        x0, x1, y0, y1 = (ops.reshape(box[:, i], (-1, 1, 1, 1)) for i in range(4))
        rows = ops.reshape(ops.arange(height, dtype="float32"), (1, -1, 1, 1))
        cols = ops.reshape(ops.arange(width, dtype="float32"), (1, 1, -1, 1))
        return ops.logical_and(
            ops.logical_and(ops.greater_equal(cols, x0), ops.less(cols, x1)),
            ops.logical_and(ops.greater_equal(rows, y0), ops.less(rows, y1)))

    def transform(self, images, transformation):
        if "fill_value" in transformation:
            fill = ops.cast(transformation["fill_value"], images.dtype)
        else:
            value = self.fill_value if self.fill_value is not None else 0.0
            if isinstance(value, list) and len(value) != images.shape[-1]:
                raise ValueError(
                    f"Layer '{self.name}': `fill_value` holds {len(value)} values but the "
                    f"images have {images.shape[-1]} channels.")
            fill = ops.broadcast_to(ops.convert_to_tensor(value, dtype=images.dtype),
                                    ops.shape(images))
        fill = ops.clip(fill, self.value_range[0], self.value_range[1])
        box = ops.cast(transformation["box"], "float32")
        inside = self._mask(box, int(images.shape[1]), int(images.shape[2]))
        apply = ops.reshape(transformation["apply_erasing"], (-1, 1, 1, 1))
        return ops.where(ops.logical_and(inside, apply), fill, images)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor), "scale": list(self.scale),
                "fill_value": self.fill_value, "value_range": list(self.value_range)}
