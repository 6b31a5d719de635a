"""MobileNetV2 (Sandler et al., 2018): inverted residual blocks with linear bottlenecks.

3,538,984 parameters at alpha=1.0 and 224x224 with the classifier.
"""
from __future__ import annotations

import warnings
from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
# (expansion, output filters before alpha, stride) of the 17 inverted residual blocks.
_BLOCKS = ((1, 16, 1),
           (6, 24, 2), (6, 24, 1),
           (6, 32, 2), (6, 32, 1), (6, 32, 1),
           (6, 64, 2), (6, 64, 1), (6, 64, 1), (6, 64, 1),
           (6, 96, 1), (6, 96, 1), (6, 96, 1),
           (6, 160, 2), (6, 160, 1), (6, 160, 1),
           (6, 320, 1))


def _bn(name: str) -> layers.BatchNormalization:
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name=name)


def _inverted_residual(inputs, expansion: int, stride: int, alpha: float, filters: int,
                       block_id: int):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[axis]
    out_channels = imagenet_utils.make_divisible(int(filters * alpha), 8)
    x = inputs
    if block_id:
        prefix = f"block_{block_id}_"
        x = layers.Conv2D(expansion * in_channels, 1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"  # the first block has no expansion
    if stride == 2:
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(out_channels, 1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_BN")(x)
    if in_channels == out_channels and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


@weights_lib.draws_held_when_loading
def MobileNetV2(input_shape: tuple | None = None, alpha: float = 1.0, include_top: bool = True,
                weights: Any = "imagenet", input_tensor: Any = None, pooling: str | None = None,
                classes: int = 1000, classifier_activation: Any = "softmax",
                name: str | None = None) -> Functional:
    """MobileNetV2 (Keras's layout, so Keras's published ImageNet weight files load).

    Args:
        input_shape: (height, width, channels), at least 32x32; the published weights exist
            for square 96, 128, 160, 192 and 224 images.
        alpha: the width multiplier (0.35, 0.5, 0.75, 1.0, 1.3 or 1.4 for the weights).
        include_top, weights, input_tensor, pooling, classes, classifier_activation: as in
            ``VGG16``.
        name: the model's name (``mobilenetv2_{alpha:.2f}_{rows}`` by default).
    """
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    first = config.image_data_format() == "channels_first"
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
        raise ValueError(f"`alpha` should be a positive number. Received: alpha={alpha!r}")
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
    rows = shape[1] if first else shape[0]
    cols = shape[2] if first else shape[1]
    if weights == "imagenet":
        if alpha not in _ALPHAS:
            raise ValueError("If imagenet weights are being loaded, alpha must be one of "
                             f"{', '.join(map(str, _ALPHAS))}. Received: alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined, non-square, or not one of "
                          f"{_SIZES}: the weights for 224x224 images are loaded.", stacklevel=2)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.Conv2D(imagenet_utils.make_divisible(32 * alpha, 8), 3, strides=2,
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = _bn("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (expansion, filters, stride) in enumerate(_BLOCKS):
        x = _inverted_residual(x, expansion, stride, alpha, filters, block_id)
    last = imagenet_utils.make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, 1, use_bias=False, name="Conv_1")(x)
    x = _bn("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    name = f"mobilenetv2_{alpha:0.2f}_{rows}" if name is None else name
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                 f"{'' if include_top else '_no_top'}.h5")
    # Keras publishes no checksum for these files.
    weights_lib.load(model, weights, file_name,
                     f"{weights_lib.BASE_URL}mobilenet_v2/{file_name}", None)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
