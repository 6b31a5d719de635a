"""CutMix (Yun et al., 2019): a random box of each image is replaced by the same box of
another image of the batch; labels mix in proportion to the areas."""
from __future__ import annotations

from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers.preprocessing.augmentation_color import _factor
from keraslite.layers.preprocessing.mix_up import MixUp, beta


class CutMix(MixUp):
    """Pastes a box from a partner image (a random permutation of the batch) into each image.
    The box's side ratio is ``sqrt(1 - lambda)``, ``lambda ~ Beta(a, a)`` with ``a`` drawn
    from ``factor``; the label weight of the own image is the share of pixels it keeps.

    Example::

        out = CutMix(factor=1.0, seed=0)({"images": images, "labels": one_hot_labels})
    """

    def __init__(self, factor=1.0, seed: Optional[int] = None, data_format=None, **kwargs):
        super().__init__(alpha=1.0, data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor("CutMix", factor, (0.0, float("inf")))

    def random_transformation(self, batch: int, height: int = 1, width: int = 1) -> dict:
        seed = self.seed_generator
        alpha = ops.add(kl_random.uniform((), self.factor[0], self.factor[1], seed=seed), 1e-6)
        ratio = ops.sqrt(ops.subtract(1.0, beta(batch, alpha, seed)))

        def bounds(length):
            crop = ops.multiply(ratio, float(length))
            start = ops.multiply(kl_random.uniform((batch,), seed=seed),
                                 ops.subtract(float(length), crop))
            return start, ops.add(start, crop)

        x0, x1 = bounds(width)
        y0, y1 = bounds(height)
        order = kl_random.shuffle(ops.arange(batch, dtype="int32"), seed=seed)
        return {"permutation_order": order, "box": (x0, x1, y0, y1),
                "mix_weight": ops.subtract(1.0, ops.divide(
                    ops.multiply(ops.subtract(x1, x0), ops.subtract(y1, y0)),
                    float(width * height)))}

    def _mask(self, images, box):
        """(B, H, W, 1) (or (B, 1, H, W)) True inside each image's box."""
        x0, x1, y0, y1 = (ops.reshape(b, (-1, 1, 1)) for b in box)
        last = self.data_format == "channels_last"
        height, width = (images.shape[1], images.shape[2]) if last else \
            (images.shape[2], images.shape[3])
        rows = ops.reshape(ops.arange(height, dtype="float32"), (1, -1, 1))
        cols = ops.reshape(ops.arange(width, dtype="float32"), (1, 1, -1))
        inside = ops.logical_and(
            ops.logical_and(ops.greater_equal(cols, x0), ops.less(cols, x1)),
            ops.logical_and(ops.greater_equal(rows, y0), ops.less(rows, y1)))
        return ops.expand_dims(inside, -1 if last else 1)

    def transform_images(self, images, transformation):
        partner = ops.take(images, transformation["permutation_order"], axis=0)
        return ops.where(self._mask(images, transformation["box"]), partner, images)

    def transform_labels(self, labels, transformation):
        labels = ops.convert_to_tensor(labels)
        if "float" not in ops.standardize_dtype(labels.dtype):
            labels = ops.cast(labels, self.compute_dtype)
        weight = ops.reshape(ops.cast(transformation["mix_weight"], labels.dtype), (-1, 1))
        partner = ops.take(labels, transformation["permutation_order"], axis=0)
        return ops.add(ops.multiply(weight, labels), ops.multiply(ops.subtract(1.0, weight),
                                                                  partner))

    def call(self, inputs, training=None):
        is_dict = isinstance(inputs, dict)
        images = inputs["images"] if is_dict else inputs
        if "float" not in ops.standardize_dtype(images.dtype):
            images = ops.cast(images, self.compute_dtype)
        if training is False:
            return {**inputs, "images": images} if is_dict else images
        if len(images.shape) != 4:
            raise ValueError(f"Layer '{self.name}' mixes a batch of images: it expects rank 4. "
                             f"Received: shape={tuple(images.shape)}")
        last = self.data_format == "channels_last"
        height, width = (images.shape[1], images.shape[2]) if last else \
            (images.shape[2], images.shape[3])
        transformation = self.random_transformation(ops.shape(images)[0], height, width)
        mixed = self.transform_images(images, transformation)
        if not is_dict:
            return mixed
        out = {**inputs, "images": mixed}
        if "labels" in inputs:
            out["labels"] = self.transform_labels(inputs["labels"], transformation)
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("alpha")
        return {**config, "factor": list(self.factor)}
