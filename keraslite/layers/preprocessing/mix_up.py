"""MixUp (Zhang et al., 2018): each image (and its label) becomes a convex mix with another
image of the batch, weighted by a Beta(alpha, alpha) draw."""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer

# Marsaglia-Tsang gamma sampling accepts a proposal with probability > 0.95 for shape >= 1, so
# among this many proposals at least one is accepted except with probability < 1e-10; taking
# the first accepted one keeps the draw free of a data-dependent loop (it traces as is).
_PROPOSALS = 8


def _gamma(shape_param, size, seed):
    """Gamma(shape_param, 1) samples of shape ``(size,)``; ``shape_param`` > 0 may be a float
    or a scalar tensor. Samples Gamma(a + 1) (shape >= 1, where the proposals work well) and
    scales by U^(1/a), which gives Gamma(a) for any a > 0."""
    a = ops.add(ops.cast(shape_param, "float32"), 1.0)
    d = ops.subtract(a, 1.0 / 3.0)
    c = ops.divide(1.0, ops.sqrt(ops.multiply(9.0, d)))
    x = kl_random.normal((_PROPOSALS, size), seed=seed)
    u = kl_random.uniform((_PROPOSALS, size), seed=seed)
    v = ops.power(ops.add(1.0, ops.multiply(c, x)), 3)
    positive = ops.greater(v, 0.0)
    safe_v = ops.where(positive, v, ops.ones_like(v))
    accept = ops.logical_and(positive, ops.less(
        ops.log(u), ops.add(ops.multiply(0.5, ops.square(x)),
                            ops.multiply(d, ops.add(ops.subtract(1.0, safe_v), ops.log(safe_v))))))
    first = ops.argmax(ops.cast(accept, "int32"), axis=0)
    sample = ops.multiply(d, ops.take_along_axis(safe_v, ops.expand_dims(first, 0), axis=0)[0])
    w = kl_random.uniform((size,), seed=seed)
    return ops.multiply(sample, ops.power(w, ops.divide(1.0, ops.subtract(a, 1.0))))


def beta(size, alpha, seed):
    """Beta(alpha, alpha) samples of shape ``(size,)``, as X / (X + Y) of two gammas."""
    x, y = _gamma(alpha, size, seed), _gamma(alpha, size, seed)
    return ops.divide(x, ops.maximum(ops.add(x, y), 1e-12))


class MixUp(Layer):
    """Mixes every image with a randomly chosen image of the same batch (labels likewise when
    called on ``{"images": ..., "labels": ...}``), with weights drawn from Beta(alpha, alpha).
    Identity unless training (a call that says nothing augments, as for the other
    augmentation layers).

    Example::

        out = MixUp(alpha=0.2, seed=0)({"images": images, "labels": one_hot_labels})
    """

    def __init__(self, alpha: float = 0.2, data_format=None, seed: Optional[int] = None,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or alpha <= 0:
            raise arg_utils.invalid("MixUp", "alpha", "a positive number", alpha)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise arg_utils.invalid("MixUp", "seed", "an int or None", seed)
        self.alpha, self.seed = float(alpha), seed
        self.data_format = arg_utils.standardize_data_format("MixUp", data_format)
        self.seed_generator = kl_random.SeedGenerator(seed)

    def random_transformation(self, batch: int) -> dict:
        order = kl_random.shuffle(ops.arange(batch, dtype="int32"), seed=self.seed_generator)
        return {"mix_weight": beta(batch, self.alpha, self.seed_generator),
                "permutation_order": order}

    def transform_images(self, images, transformation):
        weight = ops.reshape(ops.cast(transformation["mix_weight"], images.dtype),
                             (-1,) + (1,) * (len(images.shape) - 1))
        partner = ops.take(images, transformation["permutation_order"], axis=0)
        return ops.add(ops.multiply(weight, images),
                       ops.multiply(ops.subtract(1.0, weight), partner))

    def transform_labels(self, labels, transformation):
        labels = ops.convert_to_tensor(labels)
        if "float" not in ops.standardize_dtype(labels.dtype):
            labels = ops.cast(labels, self.compute_dtype)
        return self.transform_images(labels, transformation)

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
        transformation = self.random_transformation(ops.shape(images)[0])
        mixed = self.transform_images(images, transformation)
        if not is_dict:
            return mixed
        out = {**inputs, "images": mixed}
        if "labels" in inputs:
            out["labels"] = self.transform_labels(inputs["labels"], transformation)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha, "data_format": self.data_format,
                "seed": self.seed}
