"""RandomShear and RandomPerspective: projective warps drawn per image.

As in ``augmentation_color``, ``random_transformation`` draws (a dict of arrays) and
``transform`` applies it deterministically, so a test can give Keras the same draws; the warp
itself is ``image_ops.affine_transform`` (output pixel -> input point, as ``ops.image``).
"""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite import random as kl_random
from keraslite.layers import arg_utils
from keraslite.layers.preprocessing import image_ops
from keraslite.layers.preprocessing.augmentation_color import _factor
from keraslite.layers.preprocessing.random_image import _RandomAffine


class _DrawnWarp(_RandomAffine):
    """A warp whose draws and application are separate steps."""

    def augment(self, x):
        batch, height, width = ops.shape(x)[0], int(x.shape[1]), int(x.shape[2])
        return self.transform(x, self.random_transformation(batch, height, width))

    def _warp(self, images, matrix):
        return image_ops.affine_transform(images, matrix, self.interpolation, self.fill_mode,
                                          self.fill_value)


def _shear_factor(name: str, value):
    """A number ``f`` in [0, 1] -> ``(-f, f)``; a pair is sorted, within [-1, 1] (wider than
    Keras's [0, 1], so that the ``(-f, f)`` a config stores loads back)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise arg_utils.invalid("RandomShear", name, "a number in [0, 1] or a pair in "
                                    "[-1, 1]", value)
        return (-abs(float(value)), abs(float(value)))
    return _factor("RandomShear", value, (-1.0, 1.0), name)


class RandomShear(_DrawnWarp):
    """Shears each image by random amounts along x (``x_factor``) and y (``y_factor``).

    The output pixel (x, y) samples the input at ``(x + sx y, sy x + y)``; ``sx`` and ``sy``
    are drawn from their factors and both negated for a random half of the images. A number
    ``f`` (in [0, 1]) draws from ``[-f, f]``, a pair ``(lo, hi)`` (in [-1, 1]) from that range.

    Example::

        aug = keraslite.layers.RandomShear(x_factor=0.2, y_factor=0.1, seed=0)
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, data_format=None, seed: Optional[int] = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.x_factor = _shear_factor("x_factor", x_factor)
        self.y_factor = _shear_factor("y_factor", y_factor)

    def random_transformation(self, batch, height=None, width=None):
        sign = ops.where(ops.greater(self._uniform(batch, 0.0, 1.0), 0.5), -1.0, 1.0)
        shear_y = self._uniform(batch, self.y_factor[0], self.y_factor[1])
        shear_x = self._uniform(batch, self.x_factor[0], self.x_factor[1])
        return {"shear_factor": ops.multiply(ops.stack([shear_x, shear_y], axis=1),
                                             ops.expand_dims(sign, 1))}

    def transforms(self, batch, height, width):
        return self.shear_matrix(self.random_transformation(batch)["shear_factor"])

    @staticmethod
    def shear_matrix(shear_factor):
        """(B, 8) projective coefficients of the shears ``shear_factor`` (B, 2) = (sx, sy)."""
        s = ops.cast(shear_factor, "float32")
        ones, zeros = ops.ones_like(s[:, 0]), ops.zeros_like(s[:, 0])
        return ops.stack([ones, s[:, 0], zeros, s[:, 1], ones, zeros, zeros, zeros], axis=1)

    def transform(self, images, transformation):
        return self._warp(images, self.shear_matrix(transformation["shear_factor"]))

    def get_config(self):
        return {**super().get_config(), "x_factor": list(self.x_factor),
                "y_factor": list(self.y_factor)}


def homography(start_points, end_points):
    """(B, 8) coefficients taking each of the 4 ``end_points`` (x, y) to its start point.

    The output pixel at an end point then samples the input at the matching start point,
    so the content at ``start_points`` moves to ``end_points``.
    """
    start = ops.cast(start_points, "float32")
    end = ops.cast(end_points, "float32")
    ex, ey, sx, sy = end[..., 0], end[..., 1], start[..., 0], start[..., 1]
    zero, one = ops.zeros_like(ex), ops.ones_like(ex)
    rows_x = ops.stack([ex, ey, one, zero, zero, zero, -ex * sx, -ey * sx], axis=-1)
    rows_y = ops.stack([zero, zero, zero, ex, ey, one, -ex * sy, -ey * sy], axis=-1)
    system = ops.concatenate([rows_x, rows_y], axis=1)  # (B, 8, 8)
    target = ops.expand_dims(ops.concatenate([sx, sy], axis=1), -1)
    return ops.squeeze(ops.solve(system, target), -1)


class RandomPerspective(_DrawnWarp):
    """Moves each image's four corners by random offsets (a perspective warp), with
    probability drawn per image from ``factor``.

    Each corner ``c`` moves to ``c + c * u`` with ``u`` drawn per coordinate from
    ``[-scale / 2, scale / 2]`` (``scale`` in [0, 1]); uncovered pixels get ``fill_value``.

    Example::

        aug = keraslite.layers.RandomPerspective(factor=0.5, scale=0.3, seed=0)
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed: Optional[int] = None, data_format=None, **kwargs):
        super().__init__(fill_mode="constant", interpolation=interpolation,
                         fill_value=fill_value, seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomPerspective", factor, (0.0, 1.0))
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or \
                not 0 <= scale <= 1:
            raise arg_utils.invalid("RandomPerspective", "scale", "a number in [0, 1]", scale)
        self.scale = float(scale)

    def random_transformation(self, batch, height, width):
        probability = self._uniform(batch, self.factor[0], self.factor[1])
        apply = ops.less(self._uniform(batch, 0.0, 1.0), probability)
        offsets = kl_random.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale,
                                    seed=self.seed_generator)
        corners = ops.convert_to_tensor(
            [[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0], [width - 1.0, height - 1.0]],
            dtype="float32")
        start = ops.broadcast_to(ops.expand_dims(corners, 0), ops.shape(offsets))
        return {"apply_perspective": apply, "start_points": start,
                "end_points": ops.add(start, ops.multiply(start, offsets))}

    def transform(self, images, transformation):
        matrix = homography(transformation["start_points"], transformation["end_points"])
        warped = self._warp(images, matrix)
        apply = ops.reshape(transformation["apply_perspective"], (-1, 1, 1, 1))
        return ops.where(apply, warped, images)

    def get_config(self):
        config = super().get_config()
        config.pop("fill_mode")
        return {**config, "factor": list(self.factor), "scale": self.scale}
