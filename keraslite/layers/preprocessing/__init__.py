"""Preprocessing layers (usable inside a model)."""
from keraslite.layers.preprocessing.audio_spectrogram import MelSpectrogram, STFTSpectrogram
from keraslite.layers.preprocessing.augmentation_color import (
    AutoContrast, RandomBrightness, RandomGrayscale, RandomInvert, RandomPosterization, Solarization,
)
from keraslite.layers.preprocessing.augmentation_filters import (
    RandomGaussianBlur, RandomSharpness,
)
from keraslite.layers.preprocessing.augmentation_hsv import RandomHue, RandomSaturation
from keraslite.layers.preprocessing.cut_mix import CutMix
from keraslite.layers.preprocessing.encoding import CategoryEncoding, Discretization
from keraslite.layers.preprocessing.hashed_crossing import HashedCrossing
from keraslite.layers.preprocessing.hashing import Hashing
from keraslite.layers.preprocessing.lookup import IntegerLookup, StringLookup, TextVectorization
from keraslite.layers.preprocessing.mix_up import MixUp
from keraslite.layers.preprocessing.normalization import Normalization
from keraslite.layers.preprocessing.pipeline import Pipeline
from keraslite.layers.preprocessing.random_color_jitter import RandomColorJitter
from keraslite.layers.preprocessing.random_image import (
    RandomContrast, RandomCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
)
from keraslite.layers.preprocessing.rescaling import Rescaling
from keraslite.layers.preprocessing.resizing import CenterCrop, Resizing

__all__ = ["Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip", "RandomCrop",
           "RandomContrast", "RandomTranslation", "RandomRotation", "RandomZoom",
           "CategoryEncoding", "Discretization", "IntegerLookup", "StringLookup",
           "TextVectorization", "AutoContrast", "RandomBrightness", "RandomGrayscale",
           "RandomInvert", "RandomPosterization", "Solarization", "Pipeline",
           "RandomGaussianBlur", "RandomSharpness", "MixUp", "CutMix",
           "RandomHue", "RandomSaturation", "RandomColorJitter",
           "Hashing", "HashedCrossing", "STFTSpectrogram", "MelSpectrogram"]

# Image augmentations of issue 16 (AugMix and RandAugment compose the layers above).
from keraslite.layers.preprocessing.aug_mix import AugMix  # noqa: E402
from keraslite.layers.preprocessing.clahe import (  # noqa: E402
    ContrastLimitedAdaptiveHistogramEqualization,
)
from keraslite.layers.preprocessing.equalization import Equalization  # noqa: E402
from keraslite.layers.preprocessing.max_num_bounding_boxes import (  # noqa: E402
    MaxNumBoundingBoxes,
)
from keraslite.layers.preprocessing.rand_augment import RandAugment  # noqa: E402
from keraslite.layers.preprocessing.random_color_degeneration import (  # noqa: E402
    RandomColorDegeneration,
)
from keraslite.layers.preprocessing.random_elastic import RandomElasticTransform  # noqa: E402
from keraslite.layers.preprocessing.random_erasing import RandomErasing  # noqa: E402
from keraslite.layers.preprocessing.random_geometric import (  # noqa: E402
    RandomPerspective, RandomShear,
)

__all__ += ["Equalization", "RandomColorDegeneration", "RandomErasing",
            "RandomShear", "RandomPerspective", "RandomElasticTransform",
            "AugMix", "RandAugment", "MaxNumBoundingBoxes",
            "ContrastLimitedAdaptiveHistogramEqualization"]
