"""Preprocessing blocks: Normalization and ImageAugmentation (built from keraslite's layers).

==================  ===========================================================================
Normalization       no hyperparameters: standardizes with the mean and variance of the
                    training data of the input it is called on (it must be called on an input)
ImageAugmentation   ``horizontal_flip`` (False), ``vertical_flip`` (False), ``rotation_factor``
                    0|0.05|0.1 (0), ``zoom_factor`` 0|0.05|0.1 (0), ``contrast_factor``
                    0|0.1|0.2 (0); active in training only
==================  ===========================================================================

Defaults in brackets are the first configuration tried; an argument given a value is fixed.
Augmentation defaults to off because a flip or a rotation can change the class (a mirrored 2
is no digit); the search turns it on where it helps.
"""
from __future__ import annotations

from typing import Any, Optional

from keraslite import layers
from keraslite.automl.blocks import _boolean, _choice, _single
from keraslite.automl.nodes import Block
from keraslite.automl.stored_statistics import normalized

_FACTORS = [0.0, 0.05, 0.1]
_CONTRAST = [0.0, 0.1, 0.2]


class Normalization(Block):
    """Standardizes its input with the training data's per-channel (or per-feature) mean and
    variance, stored in the model (the exported model takes raw data)."""

    normalizes_input = True  # the graph hands it the statistics of the input it is called on

    def __init__(self, name: Optional[str] = None) -> None:
        super().__init__(name)
        self.stats: Optional[tuple] = None

    def build(self, hp: Any, inputs: list) -> Any:
        x = _single(self, inputs)
        if self.stats is None:
            raise ValueError(f"{self.name} must be called directly on an input node (ImageInput"
                             "), whose training data gives its mean and variance.")
        mean, variance = self.stats
        return normalized(x, mean, variance)


class ImageAugmentation(Block):
    """Random flips, rotations, zooms and contrast changes during training (identity when
    predicting), each searched unless fixed by its argument (0 or False turns it off)."""

    def __init__(self, horizontal_flip: Optional[bool] = None,
                 vertical_flip: Optional[bool] = None, rotation_factor: Optional[float] = None,
                 zoom_factor: Optional[float] = None, contrast_factor: Optional[float] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rotation_factor, self.zoom_factor = rotation_factor, zoom_factor
        self.contrast_factor = contrast_factor

    def build(self, hp: Any, inputs: list) -> Any:
        x = _single(self, inputs)
        if len(x.shape) != 4:
            raise ValueError(f"{self.name} takes images (batch, height, width, channels); "
                             f"received a tensor of shape {tuple(x.shape)}.")
        horizontal = _boolean(hp, "horizontal_flip", self.horizontal_flip, False)
        vertical = _boolean(hp, "vertical_flip", self.vertical_flip, False)
        if horizontal or vertical:
            mode = ("horizontal_and_vertical" if horizontal and vertical
                    else "horizontal" if horizontal else "vertical")
            x = layers.RandomFlip(mode)(x)
        rotation = _choice(hp, "rotation_factor", self.rotation_factor, _FACTORS, 0.0)
        if rotation:
            x = layers.RandomRotation(rotation)(x)
        zoom = _choice(hp, "zoom_factor", self.zoom_factor, _FACTORS, 0.0)
        if zoom:
            x = layers.RandomZoom(zoom)(x)
        contrast = _choice(hp, "contrast_factor", self.contrast_factor, _CONTRAST, 0.0)
        if contrast:
            # No clipping: the value range of the data is not known here (digits are 0..16).
            x = layers.RandomContrast(contrast, value_range=(-1e6, 1e6))(x)
        return x
