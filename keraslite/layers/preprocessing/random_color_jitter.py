"""RandomColorJitter: random brightness, contrast, saturation and hue changes, in that order."""
from __future__ import annotations

from typing import Optional

from keraslite.layers.preprocessing.augmentation_color import RandomBrightness, _value_range
from keraslite.layers.preprocessing.augmentation_hsv import RandomHue, RandomSaturation
from keraslite.layers.preprocessing.random_image import RandomContrast, _RandomImageLayer


class RandomColorJitter(_RandomImageLayer):
    """Applies, while training, each of RandomBrightness, RandomContrast, RandomSaturation and
    RandomHue whose factor is given (None skips it), with one shared ``value_range``.

    Example::

        jitter = RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3, seed=0)
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed: Optional[int] = None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = _value_range("RandomColorJitter", value_range)
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        # Each part gets its own seed (derived from ours), so a seeded jitter repeats.
        seeds = [None if seed is None else seed + i for i in range(4)]
        parts = []
        if brightness_factor is not None:
            parts.append(RandomBrightness(brightness_factor, self.value_range, seed=seeds[0]))
        if contrast_factor is not None:
            parts.append(RandomContrast(contrast_factor, self.value_range, seed=seeds[1]))
        if saturation_factor is not None:
            parts.append(RandomSaturation(saturation_factor, self.value_range, seed=seeds[2]))
        if hue_factor is not None:
            parts.append(RandomHue(hue_factor, self.value_range, seed=seeds[3]))
        self._parts = parts

    def augment(self, x):
        for part in self._parts:
            x = part.augment(x)
        return x

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range),
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}
