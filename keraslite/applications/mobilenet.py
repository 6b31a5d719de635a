"""MobileNet (Howard et al., 2017): depthwise separable convolutions, 4,253,864 parameters at
alpha=1.0 and 224x224 with the classifier."""
from __future__ import annotations

import warnings
from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
# (pointwise filters before alpha, stride) of the 13 depthwise separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _bn(name: str) -> layers.BatchNormalization:
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, name=name)


def _separable_block(x, filters: int, alpha: float, depth_multiplier: int, stride: int,
                     block_id: int):
    if stride != 1:  # TF-style "same" for a stride-2 3x3: pad only bottom and right
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D(3, padding="same" if stride == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=stride,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = _bn(f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(filters * alpha), 1, padding="same", use_bias=False,
                      name=f"conv_pw_{block_id}")(x)
    x = _bn(f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


@weights_lib.draws_held_when_loading
def MobileNet(input_shape: tuple | None = None, alpha: float = 1.0, depth_multiplier: int = 1,
              dropout: float = 1e-3, include_top: bool = True, weights: Any = "imagenet",
              input_tensor: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str | None = None) -> Functional:
    """MobileNet (Keras's layout, so Keras's published ImageNet weight files load).

    Args:
        input_shape: at least 32x32; the weights exist for square 128, 160, 192, 224 images.
        alpha: the width multiplier (0.25, 0.5, 0.75 or 1.0 for the weights).
        depth_multiplier: of the depthwise convolutions (1 for the weights).
        dropout: the rate before the classifier.
        Others as in ``VGG16``.
    """
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
        raise ValueError(f"`alpha` should be a positive number. Received: alpha={alpha!r}")
    first = config.image_data_format() == "channels_first"
    default_size = 224
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is not None and len(input_shape) == 3:
        rows, cols = (input_shape[1], input_shape[2]) if first else input_shape[:2]
        if rows == cols and rows in _SIZES:
            default_size = rows
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size,
                                              min_size=32, require_flatten=include_top,
                                              weights=weights)
    rows, cols = (shape[1], shape[2]) if first else (shape[0], shape[1])
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth_multiplier must be 1. "
                             f"Received: depth_multiplier={depth_multiplier}")
        if alpha not in _ALPHA_TEXT:
            raise ValueError("If imagenet weights are being loaded, alpha must be one of 0.25, "
                             f"0.5, 0.75 or 1.0. Received: alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined, non-square, or not one of "
                          f"{_SIZES}: the weights for 224x224 images are loaded.", stacklevel=2)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.Conv2D(int(32 * alpha), 3, padding="same", use_bias=False, strides=2,
                      name="conv1")(img_input)
    x = _bn("conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, stride) in enumerate(_BLOCKS, 1):
        x = _separable_block(x, filters, alpha, depth_multiplier, stride, block_id)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    name = f"mobilenet_{alpha:0.2f}_{rows}" if name is None else name
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    text = _ALPHA_TEXT.get(alpha, "2_5")
    file_name = f"mobilenet_{text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}mobilenet/{file_name}")
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
