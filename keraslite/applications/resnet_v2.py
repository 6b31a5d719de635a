"""ResNet50V2/101V2/152V2 (He et al., 2016): pre-activation bottlenecks."""
from __future__ import annotations

from typing import Any

from keraslite.applications import imagenet_utils
from keraslite.applications.resnet import build_resnet
from keraslite.models import Functional


def _family(blocks: tuple, model_name: str, title: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = model_name) -> Functional:
        return build_resnet(blocks, True, model_name, include_top, weights, input_tensor,
                            input_shape, pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = title
    build.__doc__ = (f"{title} (Keras's layout, so Keras's published ImageNet weight files "
                     "load). Arguments as in ``VGG16``; ``input_shape`` at least 32x32. Images go "
                     "through ``keraslite.applications.resnet_v2.preprocess_input`` (\"tf\").")
    return build


ResNet50V2 = _family((3, 4, 6, 3), "resnet50v2", "ResNet50V2")
ResNet101V2 = _family((3, 4, 23, 3), "resnet101v2", "ResNet101V2")
ResNet152V2 = _family((3, 8, 36, 3), "resnet152v2", "ResNet152V2")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
