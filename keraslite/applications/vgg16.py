"""VGG16: 16 weight layers, 138,357,544 parameters at 224x224 with the classifier."""
from __future__ import annotations

from typing import Any

from keraslite.applications import imagenet_utils
from keraslite.applications._vgg import build_vgg
from keraslite.models import Functional


def VGG16(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
          input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg16") -> Functional:
    """VGG16 (Keras's layout, so Keras's published ImageNet weight files load).

    Args:
        include_top: with the flatten and three dense layers (needs a fixed ``input_shape``).
        weights: ``None``, ``"imagenet"`` or the path of a weights file.
        input_tensor: a tensor to use as the image input.
        input_shape: (height, width, channels), at least 32x32; 224x224x3 by default.
        pooling: without the top, ``None`` (4D features), ``"avg"`` or ``"max"``.
        classes: the classifier's width (1000 for the ImageNet weights).
        classifier_activation: the last layer's activation (``None`` for logits).
        name: the model's name.

    Images go through ``keraslite.applications.vgg16.preprocess_input`` first.
    """
    return build_vgg((2, 2, 3, 3, 3), "vgg16", include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "caffe" convention of the weights (BGR, mean subtracted)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
