"""The augmentation menu that AugMix and RandAugment pick from: keraslite's own layers, built
with Keras's arguments, each split into a draw and a deterministic application.

Every op's parameters are drawn first (outside any branch) and the chosen op is then applied
with ``ops.switch``: the seed generators advance the same way whichever op is picked, and a
compiled step computes only the chosen op. Images are channels-last inside.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Sequence, Tuple

from keraslite import backend, ops
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing import image_ops
from keraslite.layers.preprocessing.augmentation_color import (
    AutoContrast, RandomBrightness, RandomPosterization, Solarization,
)
from keraslite.layers.preprocessing.augmentation_filters import RandomSharpness
from keraslite.layers.preprocessing.equalization import Equalization
from keraslite.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from keraslite.layers.preprocessing.random_geometric import RandomShear
from keraslite.layers.preprocessing.random_image import (
    RandomContrast, RandomRotation, RandomTranslation, _RandomAffine,
)

# Keras's names and order; the first seven are AugMix's menu when ``all_ops=False``.
OP_NAMES = ("random_shear", "random_translation", "random_rotation", "random_posterization",
            "solarization", "auto_contrast", "equalization", "random_brightness",
            "random_color_degeneration", "random_contrast", "random_sharpness")
BASIC_OPS = OP_NAMES[:7]


def build_ops(names: Sequence[str], factor: Tuple[float, float], value_range, interpolation,
              seed: Optional[int]) -> List[Layer]:
    """The layers named in ``names``, each seeded from ``seed`` (``seed + i``) so that one
    seeded parent repeats while its ops draw different numbers."""
    f = list(factor)
    vr = list(value_range)
    common = {"data_format": "channels_last"}
    makers: dict[str, Callable[[Optional[int]], Layer]] = {
        "random_shear": lambda s: RandomShear(f, f, interpolation=interpolation, seed=s,
                                              **common),
        "random_translation": lambda s: RandomTranslation(f, f, interpolation=interpolation,
                                                          seed=s, **common),
        "random_rotation": lambda s: RandomRotation(f, interpolation=interpolation, seed=s,
                                                    **common),
        "random_posterization": lambda s: RandomPosterization(
            max(1, int(8 * factor[1])), value_range=vr, seed=s, **common),
        "solarization": lambda s: Solarization(f, f, value_range=vr, seed=s, **common),
        "auto_contrast": lambda s: AutoContrast(value_range=vr, **common),
        "equalization": lambda s: Equalization(value_range=vr, **common),
        "random_brightness": lambda s: RandomBrightness(f, value_range=vr, seed=s, **common),
        "random_color_degeneration": lambda s: RandomColorDegeneration(
            f, value_range=vr, seed=s, **common),
        "random_contrast": lambda s: RandomContrast(f, value_range=vr, seed=s, **common),
        "random_sharpness": lambda s: RandomSharpness(f, value_range=vr, seed=s, **common),
    }
    return [makers[name](None if seed is None else seed + 1 + i)
            for i, name in enumerate(names)]


def draw(layer: Layer, batch, height: int, width: int) -> dict:
    """``layer``'s random parameters for a batch (an empty dict for the fixed ops)."""
    if isinstance(layer, RandomShear):
        return layer.random_transformation(batch)
    if isinstance(layer, _RandomAffine):
        return {"matrix": layer.transforms(batch, height, width)}
    if isinstance(layer, RandomContrast):
        return {"factor": layer._uniform(batch, 1.0 - layer.lower, 1.0 + layer.upper)}
    return layer.random_transformation(batch)


def apply(layer: Layer, images, transformation: dict):
    """``layer``'s deterministic transform of channels-last ``images`` with drawn params."""
    if isinstance(layer, RandomShear):
        return layer.transform(images, transformation)
    if isinstance(layer, _RandomAffine):
        return image_ops.affine_transform(images, transformation["matrix"], layer.interpolation,
                                          layer.fill_mode, layer.fill_value)
    if isinstance(layer, RandomContrast):  # RandomContrast's arithmetic, with a given factor
        factor = ops.reshape(ops.cast(transformation["factor"], images.dtype), (-1, 1, 1, 1))
        mean = ops.mean(images, axis=(1, 2), keepdims=True)
        return ops.clip(ops.add(ops.multiply(ops.subtract(images, mean), factor), mean),
                        layer.value_range[0], layer.value_range[1])
    return ops.cast(layer.transform(images, transformation), images.dtype)


def apply_chosen(layers: Sequence[Layer], index, images, draws: Sequence[dict],
                 with_identity: bool = False):
    """``apply(layers[index], images, draws[index])``; ``index == len(layers)`` leaves the
    images unchanged when ``with_identity``."""
    branches = [lambda x, d, i=i: apply(layers[i], x, d[i]) for i in range(len(layers))]
    if with_identity:
        branches.append(lambda x, d: x)
    chosen = _concrete(index)
    if chosen is not None:
        # Outside a compiled step the pick is a number: running its branch directly avoids
        # compiling a fresh switch of every branch on each eager call.
        return branches[min(max(chosen, 0), len(branches) - 1)](images, list(draws))
    return ops.switch(index, branches, images, list(draws))


def _concrete(index) -> Optional[int]:
    """The pick as an int when it has a value now (eager), else None (being traced)."""
    try:
        return int(backend.convert_to_numpy(index))
    # A traced value refuses conversion: JAX with a TypeError, a tf.function graph tensor
    # with an AttributeError (no .numpy()).
    except (TypeError, AttributeError, NotImplementedError, ValueError):
        return None
